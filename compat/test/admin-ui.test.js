"use strict";
// The Socket.IO Admin UI's namespace in a mixed cluster: two Java gateway nodes (ADMIN_UI=development) and one
// Node.js socket.io 4 node running @socket.io/admin-ui's own instrument(), one Redis. The admin client is the official
// socket.io-client, speaking as the UI does. Each side's UI sees the other side's servers and sockets, and a command
// given on a Java node acts on a socket of the Node node.
const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const http = require("node:http");
const { Server } = require("socket.io");
const { createAdapter } = require("@socket.io/redis-adapter");
const { instrument } = require("@socket.io/admin-ui");
const bcrypt = require("bcryptjs");
const { createClient } = require("redis");
const { io: connect } = require("socket.io-client");
const { startNodes, once, waitFor } = require("./support/node");
const { startRedis } = require("./support/redis");

const PASSWORD = "admin-ui-password";
const HASH = bcrypt.hashSync(PASSWORD, 4);
const LOGIN = { username: "admin", password: PASSWORD };

let redis;
let javaA;
let javaB;
let nodeServer;
let httpServer;
let nodeUrl;
let redisClient;
const redisClients = [];
const sockets = [];

before(async () => {
  redis = await startRedis();
  const env = { REDIS_URL: redis.url, ADMIN_UI: "development", ADMIN_UI_USERNAME: "admin", ADMIN_UI_PASSWORD_HASH: HASH };
  [javaA, javaB] = await startNodes(
    ["--product", "--nodeId=java-a", env],
    ["--product", "--nodeId=java-b", env],
  );
  const pub = createClient({ url: redis.url });
  const sub = pub.duplicate();
  redisClient = pub.duplicate();
  redisClients.push(pub, sub, redisClient);
  await Promise.all([pub.connect(), sub.connect(), redisClient.connect()]);
  httpServer = http.createServer();
  nodeServer = new Server(httpServer, { adapter: createAdapter(pub, sub) });
  nodeServer.of("/chat");
  instrument(nodeServer, { auth: { type: "basic", username: "admin", password: HASH }, mode: "development", serverId: "node-js" });
  await new Promise((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
  nodeUrl = `http://127.0.0.1:${httpServer.address().port}`;
  await waitFor(async () => (await nodeServer.of("/admin").adapter.serverCount()) >= 3, 10000, "three servers in /admin");
});

after(async () => {
  sockets.forEach((s) => s.disconnect());
  if (nodeServer) {
    await new Promise((resolve) => nodeServer.close(resolve));
    // instrument() never clears its 2-s server_stats timer: once the Redis clients quit, its next publish would reject.
    nodeServer.of("/admin").emit = () => true;
  }
  await Promise.all(redisClients.map((c) => c.quit().catch(() => {})));
  await Promise.all([javaA, javaB].filter(Boolean).map((n) => n.stop()));
  if (redis) await redis.stop();
});

async function client(url, namespace = "/", options = {}) {
  const socket = connect(`${url}${namespace}`, { reconnection: false, forceNew: true, transports: ["websocket"], ...options });
  sockets.push(socket);
  await once(socket, "connect");
  return socket;
}

/** An admin client as the UI makes it; records what it receives. */
function admin(url, auth = LOGIN) {
  const socket = connect(`${url}/admin`, { reconnection: false, forceNew: true, transports: ["websocket"], auth });
  sockets.push(socket);
  socket.received = [];
  socket.onAny((event, ...args) => socket.received.push([event, ...args]));
  return socket;
}

const last = (socket, event, match = () => true) =>
  socket.received.filter(([name, ...args]) => name === event && match(...args)).map(([, ...args]) => args).pop();

test("wrong credentials get the UI's 'invalid credentials' from Java and Node nodes alike", async () => {
  for (const url of [javaA.url, nodeUrl]) {
    const refused = admin(url, { username: "admin", password: "wrong" });
    const [error] = await once(refused, "connect_error");
    assert.equal(error.message, "invalid credentials", url);
    const forged = admin(url, { sessionId: "0123456789abcdef" });
    assert.equal((await once(forged, "connect_error"))[0].message, "invalid credentials", url);
  }
});

test("a login on one Java node is a session in Redis that the other Java node accepts after a reload", async () => {
  const first = admin(javaA.url);
  const [sessionId] = await once(first, "session");
  await waitFor(() => first.connected, 5000, "connected");
  await waitFor(() => last(first, "config"), 5000, "config");
  const [config] = last(first, "config");
  assert.ok(config.supportedFeatures.includes("MJOIN") && config.supportedFeatures.includes("ALL_EVENTS"));
  const ttl = await redisClient.ttl(`socket.io-admin#${sessionId}`);
  assert.ok(ttl > 86000 && ttl <= 86400, `ttl ${ttl}`);
  first.disconnect();
  const reloaded = admin(javaB.url, { sessionId });
  await once(reloaded, "connect");
});

test("server_stats of every node, the Node node's included, reach a Java node's UI, and ours reach the Node node's UI", async () => {
  const onJava = admin(javaA.url);
  const onNode = admin(nodeUrl);
  const ids = (socket) => new Set(socket.received.filter(([e]) => e === "server_stats").map(([, s]) => s.serverId));
  await waitFor(() => ["java-a", "java-b", "node-js"].every((id) => ids(onJava).has(id)), 8000, "every server on the Java UI");
  await waitFor(() => ["java-a", "java-b", "node-js"].every((id) => ids(onNode).has(id)), 8000, "every server on the Node UI");
  const [stats] = last(onJava, "server_stats", (s) => s.serverId === "java-b");
  for (const field of ["hostname", "pid", "uptime", "clientsCount", "pollingClientsCount", "aggregatedEvents", "namespaces"]) {
    assert.ok(field in stats, field);
  }
  assert.ok(stats.namespaces.some((n) => n.name === "/chat" && typeof n.socketsCount === "number"));
});

test("each side's UI lists the other side's sockets with their transport (socket.data._admin)", async () => {
  const onA = await client(javaA.url);
  const onB = await client(javaB.url, "/chat", { transports: ["polling"] });
  const onNode = await client(nodeUrl);
  const javaUi = admin(javaA.url);
  const nodeUi = admin(nodeUrl);
  // Both listeners from the start: either list may come first.
  const [[fromJava], [fromNode]] = await Promise.all([once(javaUi, "all_sockets", 10000), once(nodeUi, "all_sockets", 10000)]);
  for (const [list, side] of [[fromJava, "Java UI"], [fromNode, "Node UI"]]) {
    const byId = new Map(list.map((s) => [s.id, s]));
    assert.equal(byId.get(onA.id)?.transport, "websocket", `${side}: Java socket on A`);
    assert.equal(byId.get(onB.id)?.transport, "polling", `${side}: Java polling socket on B`);
    assert.equal(byId.get(onB.id)?.nsp, "/chat", side);
    assert.equal(byId.get(onNode.id)?.transport, "websocket", `${side}: Node socket`);
    assert.equal(typeof byId.get(onA.id).clientId, "string", side);
  }
});

test("commands from a Java node's UI act on a Node node's socket; the Node UI's on a Java socket", async () => {
  const onNode = await client(nodeUrl);
  const onJava = await client(javaB.url);
  const javaUi = admin(javaA.url);
  await once(javaUi, "config");
  javaUi.emit("join", "/", "mixed", onNode.id);
  await waitFor(async () => (await nodeServer.in("mixed").fetchSockets()).some((s) => s.id === onNode.id), 5000, "Node socket in room");
  const heard = once(onNode, "hello");
  javaUi.emit("emit", "/", "mixed", "hello", 1);
  assert.deepEqual(await heard, [1]);

  const nodeUi = admin(nodeUrl);
  await once(nodeUi, "config");
  const closed = once(onJava, "disconnect");
  nodeUi.emit("_disconnect", "/", false, onJava.id);
  assert.equal((await closed)[0], "io server disconnect");
});

test("development mode follows a Java socket's upgrade and events on the Node node's UI too", async () => {
  const nodeUi = admin(nodeUrl);
  await once(nodeUi, "all_sockets");
  const upgrading = connect(`${javaB.url}/`, { reconnection: false, forceNew: true });
  sockets.push(upgrading);
  await once(upgrading, "connect");
  await waitFor(() => last(nodeUi, "socket_connected", (s) => s.id === upgrading.id), 5000, "socket_connected");
  await waitFor(() => last(nodeUi, "socket_updated", (s) => s.id === upgrading.id && s.transport === "websocket"), 5000, "socket_updated");
  upgrading.emit("chatToServer", "seen by the UI");
  await waitFor(() => last(nodeUi, "event_received", (nsp, id, args) => id === upgrading.id && args[0] === "chatToServer"), 5000,
    "event_received");
});
