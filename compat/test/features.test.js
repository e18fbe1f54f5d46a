"use strict";
// The built-in features, end to end: the real node (AUTH_MODE=jwt), socket.io-client, and the backend HTTP API.
const { test, before, after, afterEach } = require("node:test");
const assert = require("node:assert/strict");
const { io } = require("socket.io-client");
const ioV2 = require("socket.io-client-v2");
const { startNode, once, ackOf } = require("./support/node");
const { tokenFor } = require("./support/jwt");

const SECRET = "a-test-secret-that-is-long-enough-for-hs256";
const API_KEY = "test-api-key";
let node;
const sockets = [];

before(async () => {
  node = await startNode("--product", "--allowEIO3=true", "--dashboardInterval=300",
    { AUTH_MODE: "jwt", JWT_SECRET: SECRET, API_KEY });
});
afterEach(() => sockets.splice(0).forEach((s) => s.disconnect()));
after(async () => node.stop());

function connect(namespace = "/", options = {}) {
  const socket = io(`${node.url}${namespace}`, { reconnection: false, forceNew: true, ...options });
  sockets.push(socket);
  return socket;
}

// AUTH_MODE=jwt: every namespace needs a token, so a client is someone unless a test says otherwise.
async function connected(namespace = "/", options = asUser("visitor")) {
  const socket = connect(namespace, options);
  await once(socket, "connect");
  return socket;
}

const asUser = (user) => ({ auth: { token: tokenFor(user, SECRET) } });

async function api(path, body, key = API_KEY) {
  const response = await fetch(`${node.apiUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

/** Resolves with the first `event` whose argument satisfies `predicate`. */
function nextWhere(socket, event, predicate, ms = 5000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no matching '${event}' within ${ms} ms`)), ms);
    const listener = (arg) => {
      if (predicate(arg)) {
        clearTimeout(timer);
        socket.off(event, listener);
        resolve(arg);
      }
    };
    socket.on(event, listener);
  });
}

/** Collects every `event` a socket receives. */
function collect(socket, event) {
  const received = [];
  socket.on(event, (...args) => received.push(args.length === 1 ? args[0] : args));
  return received;
}

test("events: the ack returns the same data", async () => {
  const socket = await connected();
  for (const value of [{ a: [1, { b: null }] }, [1, "two"], "text", 3.5, true]) {
    assert.deepEqual(await socket.timeout(5000).emitWithAck("events", value), value);
  }
});

test("chatToServer: every client of / receives chatToClient", async () => {
  const [a, b] = await Promise.all([connected(), connected()]);
  const heard = [once(a, "chatToClient"), once(b, "chatToClient")];
  a.emit("chatToServer", "hello everyone");
  assert.deepEqual(await Promise.all(heard), [["hello everyone"], ["hello everyone"]]);
});

test("sendMessage: newMessage carries the authenticated user", async () => {
  const alice = await connected("/", asUser("alice"));
  const bob = await connected("/", asUser("bob"));
  const first = once(bob, "newMessage");
  alice.emit("sendMessage", "from alice");
  const [message] = await first;
  assert.equal(message.text, "from alice");
  assert.equal(message.userId, "alice");
  assert.ok(Math.abs(message.at - Date.now()) < 60_000);

  const second = nextWhere(alice, "newMessage", (m) => m.text === "from bob");
  bob.emit("sendMessage", "from bob");
  assert.equal((await second).userId, "bob");
});

test("notifications reach only the user they are for; nobody can subscribe to someone else's", async () => {
  const alice = await connected("/", asUser("alice"));
  const bob = await connected("/", asUser("bob"));
  assert.deepEqual(await alice.timeout(5000).emitWithAck("subscribeToNotifications"), { subscribed: "alice" });
  assert.deepEqual(await bob.timeout(5000).emitWithAck("subscribeToNotifications", "bob"), { subscribed: "bob" });
  const toBob = collect(bob, "notification");

  const refused = await bob.timeout(5000).emitWithAck("subscribeToNotifications", "alice");
  assert.equal(refused.error.code, "forbidden");
  const exception = once(bob, "exception");
  bob.emit("subscribeToNotifications", "alice");
  assert.equal((await exception)[0].status, "error");

  const forAlice = once(alice, "notification");
  const receipt = await api("/api/v1/notifications/alice", { title: "for alice" });
  assert.equal(receipt.status, 202);
  assert.equal(receipt.body.accepted, true);
  assert.deepEqual(await forAlice, [{ title: "for alice" }]);

  const forBob = once(bob, "notification");
  await api("/api/v1/notifications/bob", { title: "for bob" });
  await forBob;
  assert.deepEqual(toBob, [{ title: "for bob" }], "bob got only his own notification");
});

test("dataUpdated: POST /api/v1/data reaches every client of /", async () => {
  const [a, b] = await Promise.all([connected("/", asUser("dave")), connected("/", asUser("carol"))]);
  const heard = [once(a, "dataUpdated"), once(b, "dataUpdated")];
  assert.equal((await api("/api/v1/data", { version: 7 })).status, 202);
  assert.deepEqual(await Promise.all(heard), [[{ version: 7 }], [{ version: 7 }]]);
});

test("the API refuses a missing or wrong key", async () => {
  assert.equal((await api("/api/v1/data", { x: 1 }, null)).status, 401);
  assert.equal((await api("/api/v1/data", { x: 1 }, "wrong")).status, 401);
});

test("/chat: rooms are isolated, only members may send, leaving stops delivery", async () => {
  const alice = await connected("/chat", asUser("alice"));
  const bob = await connected("/chat", asUser("bob"));
  const mallory = await connected("/chat", asUser("mallory"));
  const joined = once(alice, "joinedRoom");
  assert.deepEqual(await alice.timeout(5000).emitWithAck("joinRoom", "lobby"), { room: "lobby", joined: true });
  assert.deepEqual(await joined, ["lobby"]);
  await bob.timeout(5000).emitWithAck("joinRoom", "lobby");
  await mallory.timeout(5000).emitWithAck("joinRoom", "elsewhere");
  const overheard = collect(mallory, "chatToClient");

  const toBob = once(bob, "chatToClient");
  assert.deepEqual(await alice.timeout(5000).emitWithAck("chatToRoom", { room: "lobby", message: "hi bob" }),
    { room: "lobby", sent: true });
  const [message] = await toBob;
  assert.equal(message.room, "lobby");
  assert.equal(message.message, "hi bob");
  assert.equal(message.from, "alice");

  const refused = await mallory.timeout(5000).emitWithAck("chatToRoom", { room: "lobby", message: "let me in" });
  assert.equal(refused.error.code, "forbidden");

  const left = once(bob, "leftRoom");
  await bob.timeout(5000).emitWithAck("leaveRoom", "lobby");
  assert.deepEqual(await left, ["lobby"]);
  const bobAfter = collect(bob, "chatToClient");
  const echo = once(alice, "chatToClient");
  await alice.timeout(5000).emitWithAck("chatToRoom", { room: "lobby", message: "bob left" });
  await echo;
  // A round trip of bob's and of mallory's on their own connections: a copy of the room's message handed to their
  // event loops before alice's ack would have reached them ahead of these answers.
  await bob.timeout(5000).emitWithAck("joinRoom", "after-lobby");
  await mallory.timeout(5000).emitWithAck("joinRoom", "after-lobby");
  assert.deepEqual(bobAfter, []);
  assert.deepEqual(overheard, []);
});

test("every namespace needs a valid token: missing, expired, badly signed, malformed and non-string tokens are refused with a code", async () => {
  const now = Math.floor(Date.now() / 1000);
  const cases = [
    [{}, "unauthorized"],
    [{ auth: { token: tokenFor("eve", SECRET, { exp: now - 60 }) } }, "token_expired"],
    [{ auth: { token: tokenFor("eve", "another-secret-that-is-long-enough-for-hs256") } }, "unauthorized"],
    [{ auth: { token: "not.a.jwt" } }, "unauthorized"],
    ...[null, 42, true, "", { sub: "eve" }].map((token) => [{ auth: { token } }, "unauthorized"]),
  ];
  for (const namespace of ["/", "/chat", "/dashboard"]) {
    for (const [options, code] of cases) {
      const socket = connect(namespace, options);
      const [error] = await once(socket, "connect_error");
      assert.equal(error.data.code, code, `${namespace} ${JSON.stringify(options)}`);
      assert.equal(typeof error.data.reason, "string");
      assert.ok(error.message.length > 0);
    }
  }
});

test("a v2 client passes its token in the query string", async () => {
  const socket = ioV2(`${node.url}/chat`, { query: { token: tokenFor("legacy", SECRET) }, reconnection: false, forceNew: true });
  try {
    await once(socket, "connect");
    const [ack] = await ackOf(socket, "joinRoom", ["v2-room"]);
    assert.deepEqual(ack, { room: "v2-room", joined: true });
  } finally {
    socket.close();
  }
});

test("invalid payloads get an error ack, or an exception event when no ack was asked for", async () => {
  const socket = await connected();
  const wrongType = await socket.timeout(5000).emitWithAck("chatToServer", 42);
  assert.equal(wrongType.error.code, "bad_request");
  const tooLong = await socket.timeout(5000).emitWithAck("chatToServer", "x".repeat(2001));
  assert.equal(tooLong.error.code, "validation_failed");
  assert.match(tooLong.error.message, /size/);

  const chat = await connected("/chat", asUser("alice"));
  const missingField = await chat.timeout(5000).emitWithAck("chatToRoom", { room: "lobby" });
  assert.equal(missingField.error.code, "validation_failed");
  assert.match(missingField.error.message, /payload\.message/);

  const exception = once(socket, "exception");
  socket.emit("chatToServer", { not: "a string" });
  const [event] = await exception;
  assert.equal(event.status, "error");
  assert.equal(typeof event.message, "string");
  assert.equal(socket.connected, true);
});

test("/dashboard: figures at once on connection, then every interval", async () => {
  const socket = connect("/dashboard", asUser("dora"));
  const updates = collect(socket, "dashboardUpdate");
  const [first] = await once(socket, "dashboardUpdate");
  assert.equal(typeof first.nodeId, "string");
  assert.ok(first.connections["/dashboard"] >= 1);
  assert.ok(first.totalConnections >= 1);
  for (const key of ["rooms", "eventsInPerSecond", "eventsOutPerSecond", "uptimeSeconds", "at"]) assert.ok(key in first, key);
  const deadline = Date.now() + 3000;
  while (updates.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.ok(updates.length >= 3, `updates: ${updates.length}`);
});
