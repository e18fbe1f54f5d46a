"use strict";
// Connection state recovery (socket.io's connectionStateRecovery) with the official socket.io-client 4.8 against a
// single node that keeps sessions in memory.
const { test } = require("node:test");
const assert = require("node:assert/strict");
const { io } = require("socket.io-client");
const { startNode, once, waitFor } = require("./support/node");
const { expectMissedThenLive } = require("./support/recovery");

const RECOVERY = { CONNECTION_STATE_RECOVERY: "true" };

function client(node, options = {}) {
  return io(node.url, { transports: ["websocket"], forceNew: true, ...options });
}

test("recovery: a transport cut under the client recovers its id, rooms, data and missed events in order", async () => {
  const node = await startNode(RECOVERY);
  const socket = client(node);
  const other = client(node);
  const news = [];
  socket.on("news", (n) => news.push(n));
  try {
    await Promise.all([once(socket, "connect"), once(other, "connect")]);
    assert.equal(socket.recovered, false);
    const id = socket.id;
    assert.equal(await socket.timeout(5000).emitWithAck("join", "r1"), "joined");
    assert.equal(await socket.timeout(5000).emitWithAck("set-data", { n: 7 }), "kept");
    await socket.timeout(5000).emitWithAck("to-room", { room: "r1", event: "news", from: 1, count: 2 });
    await waitFor(() => news.length === 2, 5000, "news before the cut");

    // The client stays away until the test lets it back: what is sent meanwhile is missed, then replayed.
    socket.io.reconnection(false);
    const cut = once(socket, "disconnect");
    socket.io.engine.close();
    await cut;
    await other.timeout(5000).emitWithAck("to-room", { room: "r1", event: "news", from: 3, count: 3 });
    await other.timeout(5000).emitWithAck("to-room", { room: "elsewhere", event: "news", from: 100, count: 1 });
    assert.equal(news.length, 2, "nothing arrives while disconnected");

    // As with socket.io, the missed events come ahead of the CONNECT answer: the client fires them before "connect".
    const heardAtConnect = new Promise((resolve) => socket.once("connect", () => resolve(news.length)));
    const back = once(socket, "connect", 5000);
    socket.io.reconnection(true);
    socket.connect();
    await back;
    assert.equal(socket.recovered, true);
    assert.equal(socket.id, id);
    assert.equal(await heardAtConnect, 5, "missed events fired before connect");
    await expectMissedThenLive(socket, other, news, id);
  } finally {
    socket.disconnect();
    other.disconnect();
    await node.stop();
  }
});

test("recovery: forged, replayed and malformed pid/offset values give a normal new session", async () => {
  const node = await startNode(RECOVERY);
  const victim = client(node);
  try {
    await once(victim, "connect");
    assert.ok(victim._pid, "the node sent the victim a pid");
    const forged = [
      // The live victim's own pid: a session is handed over only once its socket is gone.
      { pid: victim._pid, offset: "0" },
      { pid: "AAAAAAAAAAAAAAAAAAAAAA", offset: "1" },
      { pid: 42, offset: "1" },
      { pid: "x".repeat(10000), offset: "1" },
      { pid: "p", offset: { $gt: "" } },
      { pid: "p", offset: "1".repeat(5000) },
      { pid: "p", offset: "-5" },
    ];
    for (const auth of forged) {
      const socket = client(node, { auth, reconnection: false });
      try {
        await once(socket, "connect");
        // socket.recovered compares with the client's own stored pid, so it is false whatever the node did: the
        // node's answer (a fresh id and pid) is what shows no session was handed over.
        assert.notEqual(socket.id, victim.id);
        assert.ok(socket._pid, "a new session has a pid");
        assert.notEqual(socket._pid, victim._pid);
        assert.equal((await socket.timeout(5000).emitWithAck("state")).id, socket.id);
      } finally {
        socket.disconnect();
      }
    }
    assert.equal(victim.connected, true);
  } finally {
    victim.disconnect();
    await node.stop();
  }
});

test("recovery: off by default, a reconnection is a new session and events carry no offset", async () => {
  const node = await startNode();
  const socket = client(node, { reconnectionDelay: 100, reconnectionDelayMax: 100 });
  const messages = [];
  socket.on("message-back", (...args) => messages.push(args));
  try {
    await once(socket, "connect");
    const id = socket.id;
    socket.emit("message", 1);
    await waitFor(() => messages.length === 1);
    assert.deepEqual(messages[0], [1]);
    const reconnected = once(socket, "connect", 5000);
    socket.io.engine.close();
    await reconnected;
    assert.ok(!socket.recovered);
    assert.notEqual(socket.id, id);
  } finally {
    socket.disconnect();
    await node.stop();
  }
});
