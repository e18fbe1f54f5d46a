"use strict";
// Connection state recovery on a cluster of Java nodes (REDIS_ADAPTER=streams), official socket.io-client 4.8:
// sessions outlive their node. A node SIGKILLed under its clients leaves sessions another node restores; a session
// is never taken from a node whose socket is still connected.
const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const { io } = require("socket.io-client");
const { startNode, once, waitFor } = require("./support/node");
const { expectMissedThenLive } = require("./support/recovery");
const { startRedis } = require("./support/redis");

let redis;
const nodes = [];

before(async () => {
  redis = await startRedis();
});

after(async () => {
  await Promise.all(nodes.map((node) => node.stop()));
  await redis.stop();
});

async function javaNode(id) {
  const node = await startNode(`--nodeId=${id}`, "--pingInterval=25000", "--pingTimeout=20000", {
    REDIS_URL: redis.url, REDIS_ADAPTER: "streams", CONNECTION_STATE_RECOVERY: "true", REDIS_KEY: "streams-recovery",
  });
  nodes.push(node);
  return node;
}

function client(url, options = {}) {
  return io(url, { transports: ["websocket"], forceNew: true, ...options });
}

test("streams: the sessions of a SIGKILLed node are recovered on another node with what they missed", async () => {
  const doomed = await javaNode("doomed");
  const survivor = await javaNode("survivor");
  const socket = client(doomed.url, { reconnectionDelay: 300, reconnectionDelayMax: 300, randomizationFactor: 0 });
  const other = client(survivor.url);
  const news = [];
  socket.on("news", (n) => news.push(n));
  try {
    await Promise.all([once(socket, "connect"), once(other, "connect")]);
    const id = socket.id;
    assert.equal(await socket.timeout(5000).emitWithAck("join", "r1"), "joined");
    assert.equal(await socket.timeout(5000).emitWithAck("set-data", { n: 7 }), "kept");
    await other.timeout(5000).emitWithAck("to-room", { room: "r1", event: "news", from: 1, count: 2 });
    await waitFor(() => news.length === 2, 5000, "news before the kill");

    // The node dies without a word: nothing runs its disconnect handlers.
    socket.io.uri = survivor.url;
    const cut = once(socket, "disconnect");
    doomed.process.kill("SIGKILL");
    await cut;
    await other.timeout(5000).emitWithAck("to-room", { room: "r1", event: "news", from: 3, count: 3 });

    await once(socket, "connect", 10000);
    assert.equal(socket.recovered, true, "recovered on the surviving node");
    assert.equal(socket.id, id);
    await expectMissedThenLive(socket, other, news, id);
  } finally {
    socket.disconnect();
    other.disconnect();
  }
});

test("streams: the pid of a socket still connected on a live node gives a new session elsewhere", async () => {
  const [first, second] = nodes.length >= 2 && nodes[1].process.exitCode === null
    ? [nodes[1], await javaNode("third")] : [await javaNode("a"), await javaNode("b")];
  const owner = client(first.url);
  const news = [];
  owner.on("news", (...args) => news.push(args));
  try {
    await once(owner, "connect");
    await owner.timeout(5000).emitWithAck("to-room", { room: owner.id, event: "news", from: 1, count: 1 });
    await waitFor(() => news.length === 1, 5000, "an offset");
    const offset = news[0][news[0].length - 1];
    const thief = client(second.url, { auth: { pid: owner._pid, offset }, reconnection: false });
    try {
      await once(thief, "connect", 5000);
      assert.equal(thief.recovered, false);
      assert.notEqual(thief.id, owner.id);
      assert.equal(owner.connected, true);
    } finally {
      thief.disconnect();
    }
  } finally {
    owner.disconnect();
  }
});
