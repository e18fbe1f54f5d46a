"use strict";
const { test } = require("node:test");
const assert = require("node:assert/strict");
const { io } = require("socket.io-client");
const WebSocket = require("ws");
const { startNode, once, waitFor } = require("./support/node");

// Conformance timings: a ping every 300 ms, 200 ms to answer it.

test("heartbeat: pings arrive at the configured interval and an answering client stays connected", async () => {
  const node = await startNode();
  const socket = io(node.url, { transports: ["websocket"], reconnection: false });
  try {
    await once(socket, "connect");
    const pings = [];
    socket.io.engine.on("ping", () => pings.push(Date.now()));
    await waitFor(() => pings.length >= 5, 5000, "five pings");
    const gaps = pings.slice(1).map((t, i) => t - pings[i]);
    for (const gap of gaps) assert.ok(gap >= 200 && gap <= 700, `ping gap ${gap} ms`);
    assert.equal(socket.connected, true);
  } finally {
    socket.disconnect();
    await node.stop();
  }
});

test("heartbeat: the server closes a session whose client never answers a ping", async () => {
  const node = await startNode();
  try {
    // Before the session exists: its first ping is due pingInterval after it starts, the close pingTimeout later.
    const started = Date.now();
    const ws = new WebSocket(`ws://127.0.0.1:${node.port}/socket.io/?EIO=4&transport=websocket`);
    const messages = [];
    ws.on("message", (data) => messages.push(data.toString()));
    await once(ws, "open");
    ws.send("40");
    await once(ws, "close", 3000);
    const lasted = Date.now() - started;
    // A ping-timeout close: the session was served (connected, pinged once, never again as the ping went
    // unanswered) and ended no sooner than pingInterval + pingTimeout (300 + 200 ms) after it started.
    assert.ok(messages.some((m) => m.startsWith("40")), `the namespace connected: ${messages}`);
    assert.equal(messages.filter((m) => m === "2").length, 1, `one ping, unanswered: ${messages}`);
    assert.ok(lasted >= 490, `closed ${lasted} ms after the connection began`);
  } finally {
    await node.stop();
  }
});

test("disconnect reason 'ping timeout' when the server stops answering", async () => {
  const node = await startNode();
  const socket = io(node.url, { transports: ["websocket"], reconnection: false });
  try {
    await once(socket, "connect");
    node.process.kill("SIGSTOP");
    const [reason] = await once(socket, "disconnect", 3000);
    assert.equal(reason, "ping timeout");
  } finally {
    node.process.kill("SIGCONT");
    socket.disconnect();
    await node.stop();
  }
});

test("disconnect reason 'io server disconnect' when the server disconnects the socket", async () => {
  const node = await startNode();
  const socket = io(node.url, { reconnection: false });
  try {
    await once(socket, "connect");
    socket.emit("disconnect-me");
    const [reason] = await once(socket, "disconnect");
    assert.equal(reason, "io server disconnect");
  } finally {
    socket.disconnect();
    await node.stop();
  }
});

test("disconnect reason 'io client disconnect', and the server forgets the socket", async () => {
  const node = await startNode();
  const leaving = io(node.url, { forceNew: true, reconnection: false });
  const staying = io(node.url, { forceNew: true, reconnection: false });
  try {
    await Promise.all([once(leaving, "connect"), once(staying, "connect")]);
    const disconnected = once(leaving, "disconnect");
    leaving.disconnect();
    assert.deepEqual(await disconnected, ["io client disconnect", undefined]);
    // The server's own count: the leaving client's socket is gone, the staying one's is not.
    await waitFor(async () => (await staying.timeout(5000).emitWithAck("socket-count")) === 1, 5000, "one socket on the server");
    staying.emit("broadcast", "after");
    assert.deepEqual(await once(staying, "broadcasted"), ["after"]);
  } finally {
    leaving.disconnect();
    staying.disconnect();
    await node.stop();
  }
});

for (const transports of [["websocket"], ["polling"]]) {
  test(`disconnect reason 'transport close' over ${transports[0]} when the node stops, and stop is quick`, async () => {
    const node = await startNode();
    const socket = io(node.url, { transports, reconnection: false });
    try {
      await once(socket, "connect");
      const disconnected = once(socket, "disconnect", 3000);
      const started = Date.now();
      await node.stop();
      assert.ok(Date.now() - started < 3000, `stop took ${Date.now() - started} ms`);
      const [reason] = await disconnected;
      assert.equal(reason, "transport close");
    } finally {
      socket.disconnect();
      // Also when the test failed before the stop: a node left running keeps this file's process alive forever.
      await node.stop();
    }
  });
}

