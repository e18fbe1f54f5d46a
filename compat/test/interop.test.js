"use strict";
// One Redis, two Java gateway nodes and one Node.js socket.io 4 node with @socket.io/redis-adapter, clients on each;
// plus @socket.io/redis-emitter. Everything crosses in both directions, as in an all-Node cluster.
const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const http = require("node:http");
const { Server } = require("socket.io");
const { createAdapter } = require("@socket.io/redis-adapter");
const { Emitter } = require("@socket.io/redis-emitter");
const { createClient } = require("redis");
const { io: connect } = require("socket.io-client");
const { startNodes, once } = require("./support/node");
const { startRedis } = require("./support/redis");

let redis;
let javaA;
let javaB;
let nodeServer;
let httpServer;
let nodeUrl;
const redisClients = [];
const sockets = [];

before(async () => {
  redis = await startRedis();
  [javaA, javaB] = await startNodes(
    ["--product", "--nodeId=java-a", "--dashboardInterval=300", { REDIS_URL: redis.url }],
    ["--product", "--nodeId=java-b", "--dashboardInterval=60000", { REDIS_URL: redis.url }],
  );
  const pub = createClient({ url: redis.url });
  const sub = pub.duplicate();
  redisClients.push(pub, sub);
  await Promise.all([pub.connect(), sub.connect()]);
  httpServer = http.createServer();
  nodeServer = new Server(httpServer, { adapter: createAdapter(pub, sub) });
  nodeServer.of("/chat");
  nodeServer.on("nodeInfo", (ack) => ack({ nodeId: "node-js", totalConnections: nodeServer.engine.clientsCount }));
  await new Promise((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
  nodeUrl = `http://127.0.0.1:${httpServer.address().port}`;
  const deadline = Date.now() + 10000;
  while ((await nodeServer.of("/").adapter.serverCount()) < 3) {
    if (Date.now() > deadline) throw new Error("the three servers did not meet in Redis");
    await new Promise((r) => setTimeout(r, 50));
  }
});

after(async () => {
  sockets.forEach((s) => s.disconnect());
  // The Java nodes first: java-a's dashboard asks every node for its figures every 300 ms, and the Node node's adapter
  // answers on its publishing client; a question heard after that client quit made the adapter publish on a closed
  // client, an unhandled rejection that failed the file after every test had passed.
  await Promise.all([javaA, javaB].filter(Boolean).map((n) => n.stop()));
  if (nodeServer) await new Promise((resolve) => nodeServer.close(resolve));
  await Promise.all(redisClients.map((c) => c.quit().catch(() => {})));
  if (redis) await redis.stop();
});

async function client(url, namespace = "/", options = {}) {
  const socket = connect(`${url}${namespace}`, { reconnection: false, forceNew: true, transports: ["websocket"], ...options });
  sockets.push(socket);
  await once(socket, "connect");
  return socket;
}

test("a Java client's chatToServer reaches clients on the Node node and the other Java node", async () => {
  const onA = await client(javaA.url);
  const onB = await client(javaB.url);
  const onNode = await client(nodeUrl);
  const heard = [once(onNode, "chatToClient"), once(onB, "chatToClient")];
  onA.emit("chatToServer", "from java");
  assert.deepEqual(await Promise.all(heard), [["from java"], ["from java"]]);
});

test("a Node broadcast, binary included, reaches the Java nodes' clients", async () => {
  const onA = await client(javaA.url);
  const onB = await client(javaB.url);
  const heard = [once(onA, "fromNode"), once(onB, "fromNode")];
  nodeServer.emit("fromNode", { a: 1 }, Buffer.from([1, 2, 3]));
  for (const [data, binary] of await Promise.all(heard)) {
    assert.deepEqual(data, { a: 1 });
    assert.deepEqual([...binary], [1, 2, 3]);
  }
});

test("room sends cross both ways in /chat, and only room members get them", async () => {
  const member = await client(javaA.url, "/chat");
  const outsider = await client(javaB.url, "/chat");
  await member.timeout(5000).emitWithAck("joinRoom", "interop");
  const nodeMember = await client(nodeUrl, "/chat");
  nodeServer.of("/chat").in(nodeMember.id).socketsJoin("interop");

  let outsiderHeard = false;
  outsider.on("toRoom", () => (outsiderHeard = true));
  outsider.on("chatToClient", () => (outsiderHeard = true));
  const toJava = once(member, "toRoom");
  nodeServer.of("/chat").to("interop").emit("toRoom", 1);
  assert.deepEqual(await toJava, [1]);
  // A marker to all of /chat from the same publisher comes after any copy of the room's message.
  const nodeMarker = once(outsider, "marker");
  nodeServer.of("/chat").emit("marker");
  await nodeMarker;

  const toNode = once(nodeMember, "chatToClient");
  await member.timeout(5000).emitWithAck("chatToRoom", { room: "interop", message: "hello node" });
  const [message] = await toNode;
  assert.equal(message.message, "hello node");
  assert.equal(message.room, "interop");
  const javaMarker = once(outsider, "marker");
  const marked = await fetch(`${javaA.apiUrl}/api/v1/emit`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ namespace: "/chat", event: "marker", data: {} }),
  });
  assert.equal(marked.status, 202);
  await javaMarker;
  assert.equal(outsiderHeard, false);
});

test("fetchSockets on the Node node sees the Java nodes' sockets with their rooms", async () => {
  const member = await client(javaA.url, "/chat");
  await member.timeout(5000).emitWithAck("joinRoom", "fetched");
  const other = await client(javaB.url, "/chat");

  const all = await nodeServer.of("/chat").fetchSockets();
  const ids = all.map((s) => s.id);
  assert.ok(ids.includes(member.id) && ids.includes(other.id), "both Java sockets are listed");
  const inRoom = await nodeServer.of("/chat").in("fetched").fetchSockets();
  assert.deepEqual(inRoom.map((s) => s.id), [member.id]);
  assert.ok(inRoom[0].rooms.has("fetched"));
  assert.equal(typeof inRoom[0].handshake.headers, "object");
});

test("serverSideEmitWithAck on the Node node reaches both Java nodes", async () => {
  const answers = await nodeServer.serverSideEmitWithAck("nodeInfo");
  assert.deepEqual(answers.map((a) => a.nodeId).sort(), ["java-a", "java-b"]);
});

test("the Node node makes a Java socket join a room, then reaches it there", async () => {
  const javaSocket = await client(javaB.url);
  nodeServer.in(javaSocket.id).socketsJoin("joined-from-node");
  const deadline = Date.now() + 5000;
  while ((await nodeServer.in("joined-from-node").fetchSockets()).length === 0) {
    if (Date.now() > deadline) throw new Error("the join did not happen");
    await new Promise((r) => setTimeout(r, 50));
  }
  const heard = once(javaSocket, "welcome");
  nodeServer.to("joined-from-node").emit("welcome", "in");
  assert.deepEqual(await heard, ["in"]);
});

test("emitWithAck from the Node node collects the Java clients' acks", async () => {
  const first = await client(javaA.url, "/chat");
  const second = await client(javaB.url, "/chat");
  for (const socket of [first, second]) {
    await socket.timeout(5000).emitWithAck("joinRoom", "asked");
    socket.on("question", (q, ack) => ack(`${socket.id}:${q}`));
  }
  const answers = await nodeServer.of("/chat").to("asked").timeout(3000).emitWithAck("question", "q");
  assert.deepEqual(answers.sort(), [`${first.id}:q`, `${second.id}:q`].sort());
});

test("a message published with @socket.io/redis-emitter reaches clients on the Java nodes", async () => {
  const emitterClient = createClient({ url: redis.url });
  redisClients.push(emitterClient);
  await emitterClient.connect();
  const emitter = new Emitter(emitterClient);
  const onA = await client(javaA.url);
  const onB = await client(javaB.url);
  const heard = [once(onA, "fromEmitter"), once(onB, "fromEmitter")];
  emitter.emit("fromEmitter", { via: "emitter" });
  assert.deepEqual(await Promise.all(heard), [[{ via: "emitter" }], [{ via: "emitter" }]]);

  const member = await client(javaB.url, "/chat");
  await member.timeout(5000).emitWithAck("joinRoom", "emitted");
  const toRoom = once(member, "roomNews");
  emitter.of("/chat").to("emitted").emit("roomNews", 7);
  assert.deepEqual(await toRoom, [7]);
});

test("dates from a Node node reach Java nodes' clients as they reach the Node node's own", async () => {
  const onA = await client(javaA.url);
  const onNode = await client(nodeUrl);
  const dates = [new Date(0), new Date(Date.UTC(2024, 5, 1, 12, 0, 0, 123)), new Date(-1)];
  const heard = [once(onA, "dated"), once(onNode, "dated")];
  nodeServer.emit("dated", ...dates);
  const [onJava, onItsOwn] = await Promise.all(heard);
  assert.deepEqual(onItsOwn, dates.map((d) => d.toJSON()));
  assert.deepEqual(onJava, onItsOwn);
});

test("the Java dashboard shows every node of the cluster, the Node node included", async () => {
  const dashboard = await client(javaA.url, "/dashboard");
  const update = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no dashboard update with three nodes")), 5000);
    dashboard.on("dashboardUpdate", (u) => {
      if (u.nodes.length === 3) {
        clearTimeout(timer);
        resolve(u);
      }
    });
  });
  assert.deepEqual(update.nodes.map((n) => n.nodeId).sort(), ["java-a", "java-b", "node-js"]);
  assert.equal(update.cluster.nodeCount, 3);
  assert.ok(update.cluster.totalConnections >= 1);
});
