"use strict";
const net = require("node:net");

/** A port of 127.0.0.1 that was free a moment ago. */
async function freePort() {
  return (await freePorts(1))[0];
}

/**
 * `count` different ports of 127.0.0.1 that were free a moment ago: all are held together before any is let go, since
 * the kernel may hand a port just released to the next caller (two calls in a row gave one node the same port for
 * Socket.IO and management).
 */
function freePorts(count) {
  return holdPorts(count, () => 0);
}

/**
 * `count` different free ports of 127.0.0.1 below Linux's ephemeral range (32768 and up), held together as
 * {@link freePorts} holds its own, for servers started while many outgoing connections are open: those take their
 * local ports from that range and can take a port picked there before its server binds it.
 */
function freeListenPorts(count) {
  return holdPorts(count, () => 20000 + Math.floor(Math.random() * 12000));
}

/** Binds `count` servers of 127.0.0.1, each to a port of `pick()` (50 tries each), and closes them all at the end. */
async function holdPorts(count, pick) {
  const servers = [];
  try {
    while (servers.length < count) {
      servers.push(await listenOnFreePort(pick));
    }
    return servers.map((server) => server.address().port);
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(() => resolve()))));
  }
}

async function listenOnFreePort(pick) {
  for (let attempt = 0; attempt < 50; attempt++) {
    const server = net.createServer();
    const listening = await new Promise((resolve) => {
      server.once("error", () => resolve(false));
      server.listen(pick(), "127.0.0.1", () => resolve(true));
    });
    if (listening) return server;
  }
  throw new Error("no free port of 127.0.0.1");
}

module.exports = { freePort, freePorts, freeListenPorts };
