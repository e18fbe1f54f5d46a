"use strict";
// A mixed cluster on the streams transport: one Redis, a Java gateway node (REDIS_ADAPTER=streams) and a Node.js
// socket.io 4 node with @socket.io/redis-streams-adapter, both with connectionStateRecovery. Broadcasts cross both
// ways, and a session started on one recovers on the other (official socket.io-client 4.8).
const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const http = require("node:http");
const { Server } = require("socket.io");
const { createAdapter } = require("@socket.io/redis-streams-adapter");
const { createClient } = require("redis");
const { io: connect } = require("socket.io-client");
const { startNode, once, waitFor } = require("./support/node");
const { expectMissedThenLive } = require("./support/recovery");
const { startRedis } = require("./support/redis");

let redis;
let java;
let nodeServer;
let httpServer;
let nodeUrl;
let redisClient;
const sockets = [];

// The same fixture events as the Java conformance node's (RecoveryFixtures): join, set-data, state, to-room.
function installFixtures(io) {
  io.on("connection", (socket) => {
    socket.on("join", (room, ack) => {
      socket.join(room);
      ack("joined");
    });
    socket.on("set-data", (data, ack) => {
      socket.data = data;
      ack("kept");
    });
    socket.on("state", (ack) => ack({ id: socket.id, rooms: [...socket.rooms].filter((r) => r !== socket.id), data: socket.data }));
    socket.on("to-room", ({ room, event, from, count }, ack) => {
      for (let i = from; i < from + count; i++) io.to(room).emit(event, i);
      ack(count);
    });
  });
}

before(async () => {
  redis = await startRedis();
  java = await startNode("--nodeId=java", "--pingInterval=25000", "--pingTimeout=20000", {
    REDIS_URL: redis.url, REDIS_ADAPTER: "streams", CONNECTION_STATE_RECOVERY: "true",
  });
  redisClient = createClient({ url: redis.url });
  await redisClient.connect();
  httpServer = http.createServer();
  nodeServer = new Server(httpServer, {
    adapter: createAdapter(redisClient),
    connectionStateRecovery: { maxDisconnectionDuration: 120000 },
  });
  installFixtures(nodeServer);
  await new Promise((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
  nodeUrl = `http://127.0.0.1:${httpServer.address().port}`;
  const deadline = Date.now() + 10000;
  while ((await nodeServer.of("/").adapter.serverCount()) < 2) {
    if (Date.now() > deadline) throw new Error("the two servers did not meet in Redis");
    await new Promise((r) => setTimeout(r, 50));
  }
});

after(async () => {
  sockets.forEach((s) => s.disconnect());
  // Guarded: whatever a failed before() did start is stopped, the rest is skipped.
  if (nodeServer) await new Promise((resolve) => nodeServer.close(resolve));
  else if (httpServer) await new Promise((resolve) => httpServer.close(resolve));
  if (redisClient) await redisClient.quit().catch(() => {});
  if (java) await java.stop();
  if (redis) await redis.stop();
});

function client(url, options = {}) {
  const socket = connect(url, { forceNew: true, transports: ["websocket"], ...options });
  sockets.push(socket);
  return socket;
}

test("streams: broadcasts to a room cross from Node to Java and from Java to Node, with offsets", async () => {
  const onJava = client(java.url);
  const onNode = client(nodeUrl);
  await Promise.all([once(onJava, "connect"), once(onNode, "connect")]);
  await onJava.timeout(5000).emitWithAck("join", "mixed");
  await onNode.timeout(5000).emitWithAck("join", "mixed");
  const heard = { java: [], node: [] };
  onJava.on("news", (...args) => heard.java.push(args));
  onNode.on("news", (...args) => heard.node.push(args));

  await onNode.timeout(5000).emitWithAck("to-room", { room: "mixed", event: "news", from: 1, count: 2 });
  await onJava.timeout(5000).emitWithAck("to-room", { room: "mixed", event: "news", from: 3, count: 2 });
  await waitFor(() => heard.java.length === 4 && heard.node.length === 4, 5000, "four news on each side");

  for (const side of [heard.java, heard.node]) {
    assert.deepEqual(side.map((args) => args[0]), [1, 2, 3, 4]);
    for (const args of side) assert.match(args[1], /^[0-9]+-[0-9]+$/, "the offset is the stream entry id");
  }
  assert.deepEqual(heard.java.map((a) => a[1]), heard.node.map((a) => a[1]), "one offset per entry, the same everywhere");
});

async function recoverAcross(from, to) {
  const socket = client(from);
  const other = client(to);
  const news = [];
  socket.on("news", (n) => news.push(n));
  await Promise.all([once(socket, "connect"), once(other, "connect")]);
  const id = socket.id;
  assert.equal(await socket.timeout(5000).emitWithAck("join", "r1"), "joined");
  assert.equal(await socket.timeout(5000).emitWithAck("set-data", { n: 7 }), "kept");
  await socket.timeout(5000).emitWithAck("to-room", { room: "r1", event: "news", from: 1, count: 2 });
  await waitFor(() => news.length === 2, 5000, "news before the cut");

  // The client comes back to the other server, as behind a balancer after its node went away; it stays away until
  // the test lets it back: what is sent meanwhile is missed, then replayed.
  socket.io.uri = to;
  socket.io.reconnection(false);
  const cut = once(socket, "disconnect");
  socket.io.engine.close();
  await cut;
  await other.timeout(5000).emitWithAck("to-room", { room: "r1", event: "news", from: 3, count: 3 });
  await other.timeout(5000).emitWithAck("to-room", { room: "elsewhere", event: "news", from: 100, count: 1 });
  assert.equal(news.length, 2, "nothing arrives while disconnected");

  const back = once(socket, "connect", 5000);
  socket.io.reconnection(true);
  socket.connect();
  await back;
  assert.equal(socket.recovered, true, "recovered on the other server");
  assert.equal(socket.id, id);
  await expectMissedThenLive(socket, other, news, id);
  socket.disconnect();
  other.disconnect();
}

test("streams: a session started on the Java node recovers on the Node node", async () => {
  await recoverAcross(java.url, nodeUrl);
});

test("streams: a session started on the Node node recovers on the Java node", async () => {
  await recoverAcross(nodeUrl, java.url);
});
