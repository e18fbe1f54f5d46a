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

/** compat/clients/node-server.js on a free port; resolves to { port, closeConnections, stop }. */
async function nodeJsServer() {
  const child = spawn("node", [path.join(__dirname, "..", "clients", "node-server.js"), PING_INTERVAL, PING_TIMEOUT],
    { stdio: ["pipe", "pipe", "inherit"] });
  const lines = readline.createInterface({ input: child.stdout });
  const nextLine = () => new Promise((resolve, reject) => {
    lines.once("line", resolve);
    child.once("exit", (code) => reject(new Error(`node-server.js exited with ${code}`)));
  });
  const line = await nextLine();
  assert.match(line, /^READY \d+$/);
  const exited = new Promise((resolve) => child.on("exit", resolve));
  return {
    port: Number(line.split(" ")[1]),
    /** Closes every connection as a stopping socket.io server does, still listening. */
    async closeConnections() {
      const closed = nextLine();
      child.stdin.write("close\n");
      assert.equal(await closed, "CLOSED");
    },
    async stop() {
      child.stdin.end();
      await exited;
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
