"use strict";
// python-socketio (Debian's python3-socketio 5.7 with python3-websocket and python3-requests) against a real node
// in each transport mode, driven through compat/clients/python/driver.py.
//
// Its quirk: when a server ends a long-polling session with Engine.IO's close packet (what socket.io servers send
// when they stop), python-socketio 5.7 takes the end as deliberate and does not reconnect (its reconnection only
// follows a dropped connection: python-engineio marks itself disconnected before telling it). Over WebSocket the
// connection drops and it reconnects. A Node.js socket.io server gets the same (last test). When a node stops,
// whether the close packet or a refused request reaches the client first is a race, so after our node's restart
// the polling client may or may not come back by itself; if not, it is connected again, as its application must.
const { test } = require("node:test");
const assert = require("node:assert/strict");
const { spawn } = require("node:child_process");
const path = require("node:path");
const readline = require("node:readline");
const { pythonClient } = require("./support/client-drivers");
const { PING_INTERVAL, PING_TIMEOUT, runChecklist } = require("./support/client-checklist");

test("python-socketio against our node", async (t) => {
  await runChecklist(t, pythonClient, { mayStayDown: (mode) => mode === "polling" });
});

/** The next line of `lines` that `child` prints, or a rejection when it exits first or after `ms`. */
function nextLine(lines, child, ms = 10000) {
  return new Promise((resolve, reject) => {
    const onLine = (line) => settle(() => resolve(line));
    const onExit = (code) => settle(() => reject(new Error(`node-server.js exited with ${code}`)));
    const timer = setTimeout(() => settle(() => reject(new Error(`no line from node-server.js within ${ms} ms`))), ms);
    function settle(done) {
      clearTimeout(timer);
      lines.off("line", onLine);
      child.off("exit", onExit);
      done();
    }
    lines.once("line", onLine);
    child.once("exit", onExit);
  });
}

/**
 * compat/clients/node-server.js on a free port of 127.0.0.1; resolves to { port, closeConnections, stop }. As
 * support/node.js's startNode: a server that does not say READY in time is killed, and stop() kills one that does not
 * exit within 5 s of its stdin's end.
 */
async function nodeJsServer() {
  const child = spawn("node", [path.join(__dirname, "..", "clients", "node-server.js"), PING_INTERVAL, PING_TIMEOUT],
    { stdio: ["pipe", "pipe", "inherit"] });
  const exited = new Promise((resolve) => child.on("exit", resolve));
  const lines = readline.createInterface({ input: child.stdout });
  let port;
  try {
    const line = await nextLine(lines, child);
    assert.match(line, /^READY \d+$/);
    port = Number(line.split(" ")[1]);
  } catch (error) {
    child.kill("SIGKILL");
    await exited;
    throw error;
  }
  return {
    port,
    /** Closes every connection as a stopping socket.io server does, still listening. */
    async closeConnections() {
      const closed = nextLine(lines, child, 5000);
      child.stdin.write("close\n");
      assert.equal(await closed, "CLOSED");
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.stdin.end();
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

test("python-socketio on a Node.js socket.io server: after the close packet it stays down, over WebSocket it comes back", async () => {
  const server = await nodeJsServer();
  const url = `http://127.0.0.1:${server.port}`;
  const clients = {};
  try {
    for (const [mode, transports] of [["websocket", ["websocket"]], ["polling", ["polling"]]]) {
      clients[mode] = pythonClient();
      await clients[mode].connect({ url, transports, token: "unused", namespaces: ["/"], reconnection: true });
      assert.deepEqual(await clients[mode].call("events", ["hello"]), ["hello"]);
    }
    await server.closeConnections();
    await Promise.all(Object.values(clients).map((client) => client.disconnected(5000)));

    await clients.websocket.connected("/", 5000);
    assert.deepEqual(await clients.websocket.call("events", ["again"]), ["again"]);
    // The server still listens and the reconnection delay is at most 300 ms: it could have come back by now.
    await assert.rejects(clients.polling.connected("/", 1500), /not connected/);
  } finally {
    await Promise.all(Object.values(clients).map((client) => client.close()));
    await server.stop();
  }
});
