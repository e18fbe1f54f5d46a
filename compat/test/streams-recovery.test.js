"use strict";
// Connection state recovery on a cluster of Java nodes (REDIS_ADAPTER=streams), official socket.io-client 4.8:
// sessions outlive their node. A node SIGKILLed under its clients leaves sessions another node restores; a session
// is never taken from a node whose socket is still connected.
const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const { io } = require("socket.io-client");
const { startNodes, once, waitFor } = require("./support/node");
const { expectMissedThenLive } = require("./support/recovery");
const { startRedis } = require("./support/redis");

let redis;
const nodes = [];

before(async () => {
  redis = await startRedis();
});

after(async () => {
  await Promise.all(nodes.map((node) => node.stop()));
  if (redis) await redis.stop();
});

/** Java nodes of this cluster, one per id, started together; each test stops its own (after() any left over). */
async function javaNodes(...ids) {
  const started = await startNodes(...ids.map((id) => [`--nodeId=${id}`, "--pingInterval=25000", "--pingTimeout=20000", {
    REDIS_URL: redis.url, REDIS_ADAPTER: "streams", CONNECTION_STATE_RECOVERY: "true", REDIS_KEY: "streams-recovery",
  }]));
  nodes.push(...started);
  return started;
}

function client(url, options = {}) {
  return io(url, { transports: ["websocket"], forceNew: true, ...options });
}

test("streams: the sessions of a SIGKILLed node are recovered on another node with what they missed", async () => {
  const [doomed, survivor] = await javaNodes("doomed", "survivor");
  const socket = client(doomed.url);
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

    // The node dies without a word: nothing runs its disconnect handlers. The client stays away until the test
    // lets it back (to the survivor): what is sent meanwhile is missed, then replayed.
    socket.io.uri = survivor.url;
    socket.io.reconnection(false);
    const cut = once(socket, "disconnect");
    doomed.process.kill("SIGKILL");
    await cut;
    await other.timeout(5000).emitWithAck("to-room", { room: "r1", event: "news", from: 3, count: 3 });

    const back = once(socket, "connect", 10000);
    socket.io.reconnection(true);
    socket.connect();
    await back;
    assert.equal(socket.recovered, true, "recovered on the surviving node");
    assert.equal(socket.id, id);
    await expectMissedThenLive(socket, other, news, id);
  } finally {
    socket.disconnect();
    other.disconnect();
    await Promise.all([doomed, survivor].map((node) => node.stop()));
  }
});

test("streams: the pid of a socket still connected on a live node gives a new session elsewhere, and recovers there once it is gone", async () => {
  const [first, second] = await javaNodes("first", "second");
  const owner = client(first.url);
  const news = [];
  owner.on("news", (...args) => news.push(args));
  const sockets = [owner];
  try {
    await once(owner, "connect");
    const ownerId = owner.id;
    await owner.timeout(5000).emitWithAck("to-room", { room: owner.id, event: "news", from: 1, count: 1 });
    await waitFor(() => news.length === 1, 5000, "an offset");
    const offset = news[0][news[0].length - 1];
    // Well-formed values: a refusal below is the live owner's doing, not a malformed pid or offset.
    assert.equal(typeof owner._pid, "string");
    assert.ok(owner._pid.length > 0, "a pid");
    assert.match(offset, /^[0-9]+-[0-9]+$/, "the offset is the stream entry id");
    const auth = { pid: owner._pid, offset };

    // (A new client's `recovered` is false whatever the server did: the client sets it only for a pid of its own.
    // Whether the session was given is told by the socket id.)
    const thief = client(second.url, { auth, reconnection: false });
    sockets.push(thief);
    await once(thief, "connect", 5000);
    assert.notEqual(thief.id, ownerId, "a new session");
    assert.equal((await thief.timeout(5000).emitWithAck("state")).id, thief.id);
    assert.equal(owner.connected, true);

    // The positive control: once the owner's connection is cut (a recoverable end), the same auth, from a client
    // built as the thief was, gets the session.
    owner.io.reconnection(false);
    const cut = once(owner, "disconnect");
    owner.io.engine.close();
    await cut;
    const heir = client(second.url, { auth, reconnection: false });
    sockets.push(heir);
    await once(heir, "connect", 5000);
    assert.equal(heir.id, ownerId, "the same pid and offset recover the session once its socket is gone");
    assert.equal((await heir.timeout(5000).emitWithAck("state")).id, ownerId);
  } finally {
    sockets.forEach((socket) => socket.disconnect());
    await Promise.all([first, second].map((node) => node.stop()));
  }
});
