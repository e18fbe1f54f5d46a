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
async function freePorts(count) {
  const servers = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = net.createServer();
      servers.push(server);
      await new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", resolve);
      });
    }
    return servers.map((server) => server.address().port);
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(() => resolve()))));
  }
}

/**
 * A free port of 127.0.0.1 below Linux's ephemeral range (32768 and up), for a server started while many outgoing
 * connections are open: those take their local ports from that range and can take a port picked there before its
 * server binds it.
 */
async function freeListenPort() {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    const free = await new Promise((resolve) => {
      const server = net.createServer();
      server.once("error", () => resolve(false));
      server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error("no free port below the ephemeral range");
}

module.exports = { freePort, freePorts, freeListenPort };
