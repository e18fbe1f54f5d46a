"use strict";
// What every client must do against a real node, in each transport mode: connect with an auth payload; acks with
// strings, nested JSON, unicode and several arguments; binary both ways, top-level and nested; a broadcast from
// another client; a /chat room; reconnection after the node restarts; a clean disconnect the server sees.
// The client under test is a driver (./client-drivers.js), one per mode, all on one node (so that one restart
// serves them all); the other client is socket.io-client 4.
const assert = require("node:assert/strict");
const { io } = require("socket.io-client");
const { startNode, once, waitFor } = require("./node");
const { tokenFor } = require("./jwt");

const SECRET = "client-suite-secret-that-is-long-enough-for-hs256";
// Short heartbeats: a client that only notices a stopped server by them notices it fast.
const PING_INTERVAL = 300;
const PING_TIMEOUT = 200;
const NODE_FLAGS = ["--client-suite", "--allowEIO3=true", `--pingInterval=${PING_INTERVAL}`,
  `--pingTimeout=${PING_TIMEOUT}`, "--eventRate=0"];
const NODE_ENV = { AUTH_MODE: "jwt", JWT_SECRET: SECRET };

const MODES = {
  websocket: ["websocket"],
  polling: ["polling"],
  "polling then upgrade": ["polling", "websocket"],
};

const bytes = (...values) => ({ $bytes: Buffer.from(values).toString("base64") });
const large = { $bytes: Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 13) & 0xff)).toString("base64") };

async function features(client, { transports, url, token }, others) {
  const other = (namespace) => {
    const socket = io(`${url}${namespace}`, {
      transports: ["websocket"], forceNew: true, reconnection: false, auth: { token: tokenFor("bob", SECRET) },
    });
    others.push(socket);
    return socket;
  };
  const settled = transports[transports.length - 1];
  await waitFor(async () => (await client.state()).transport === settled, 5000, `transport ${settled}`);

  // The auth payload reached the server, and the user it names is the one events are attributed to (and /chat,
  // which requires a token, let the client in). A v2 client has no auth payload: its token is in the query string.
  if (!client.tokenInQuery) {
    const [auth] = await client.call("handshake-auth", []);
    assert.equal(auth.token, token);
  }
  await client.emit("sendMessage", ["signed"]);
  const [message] = await client.next("newMessage");
  assert.deepEqual([message.userId, message.text], ["alice", "signed"]);

  // Acks: strings, nested JSON, unicode, several arguments.
  const nested = { a: [1, { b: null, c: [true, 2.5] }], d: { e: "f" } };
  const unicode = "héllo wörld ✓ 日本語 😀";
  assert.deepEqual(await client.call("echo", ["plain", nested, unicode, 42]), ["plain", nested, unicode, 42]);
  assert.deepEqual(await client.call("events", [nested]), [nested]);
  assert.deepEqual(await client.call("events", [unicode]), [unicode]);

  // Binary both ways, top-level and nested (the large one is several base64 lines for some clients).
  const withBinary = { nested: { bin: bytes(4, 5) }, list: ["text", large] };
  assert.deepEqual(await client.call("echo", [bytes(1, 2, 3), withBinary]), [bytes(1, 2, 3), withBinary]);
  await client.emit("echo-back", [large, { deep: { bin: bytes(9) } }]);
  assert.deepEqual(await client.next("echoed"), [large, { deep: { bin: bytes(9) } }]);
  assert.deepEqual(await client.call("events", [bytes(7, 8)]), [bytes(7, 8)]);

  // A broadcast from another client, and one of ours that the other client receives.
  const bob = other("/");
  await once(bob, "connect");
  await client.clear("chatToClient");
  const bobHears = [];
  bob.on("chatToClient", (text) => bobHears.push(text));
  bob.emit("chatToServer", "from bob");
  assert.deepEqual(await client.next("chatToClient"), ["from bob"]);
  await client.emit("chatToServer", ["from alice ✓"]);
  await waitFor(() => bobHears.includes("from alice ✓"), 5000, "bob hears alice");

  // /chat: join a room, talk in it both ways.
  const room = `lobby-${transports.join("-")}`;
  const bobChat = other("/chat");
  await once(bobChat, "connect");
  assert.deepEqual(await client.call("joinRoom", [room], "/chat"), [{ room, joined: true }]);
  assert.deepEqual(await bobChat.timeout(5000).emitWithAck("joinRoom", room), { room, joined: true });
  const heard = once(bobChat, "chatToClient");
  assert.deepEqual(await client.call("chatToRoom", [{ room, message: "hi room ✓" }], "/chat"), [{ room, sent: true }]);
  const [fromAlice] = await heard;
  assert.deepEqual([fromAlice.room, fromAlice.message, fromAlice.from], [room, "hi room ✓", "alice"]);
  const [own] = await client.next("chatToClient", "/chat");
  assert.deepEqual([own.message, own.from], ["hi room ✓", "alice"], "members, the sender too, hear the room");
  bobChat.emit("chatToRoom", { room, message: "hi alice" });
  const [fromBob] = await client.next("chatToClient", "/chat");
  assert.deepEqual([fromBob.room, fromBob.message, fromBob.from], [room, "hi alice", "bob"]);
}

/**
 * Runs the checklist as subtests of `t` with a new client from `makeClient()` per mode. `quirks.mayStayDown(mode)`
 * names the modes in which the client is known not to reconnect by itself after the node's restart when the
 * node's close packet reaches it before a failed request does (which comes first is a race): there, if it has
 * not come back shortly after the node, it is connected again as its application would.
 */
async function runChecklist(t, makeClient, quirks = {}) {
  const mayStayDown = quirks.mayStayDown || (() => false);
  let node = await startNode(...NODE_FLAGS, NODE_ENV);
  // `clients` holds those that connected; `started`, every client made, closed at the end even if its connect failed
  // (one left reconnecting, or a driver child waiting on its stdin, would keep the test file from ending).
  const clients = new Map();
  const started = [];
  const others = [];
  const connectOptions = (transports) => ({
    url: node.url, transports, token: tokenFor("alice", SECRET), namespaces: ["/", "/chat"], reconnection: true,
  });
  try {
    for (const [mode, transports] of Object.entries(MODES)) {
      await t.test(`over ${mode}: auth, acks, binary both ways, a broadcast, a /chat room`, async () => {
        const client = makeClient();
        started.push(client);
        const options = connectOptions(transports);
        await client.connect(options);
        clients.set(mode, client);
        await features(client, options, others);
      });
    }

    await t.test("the node restarts on the same address: the clients reconnect", async () => {
      assert.equal(clients.size, Object.keys(MODES).length, "every mode connected");
      const port = node.port;
      others.splice(0).forEach((socket) => socket.close());
      await node.stop();
      await Promise.all([...clients.values()].map((client) => client.disconnected(5000)));
      node = await startNode(...NODE_FLAGS, `--port=${port}`, NODE_ENV);
      await Promise.all([...clients].map(async ([mode, client]) => {
        try {
          if (mayStayDown(mode)) {
            // Only "not back in time" means it stayed down; any other failure (the driver died, ...) is reported.
            const back = await client.connected("/", 1500).then(() => true, (error) => {
              if (/not connected to \/ within|no 'connect' within/.test(error.message)) return false;
              throw error;
            });
            if (!back) await client.connect(connectOptions(MODES[mode]));
          } else {
            await client.connected("/", 10000);
          }
          assert.deepEqual(await client.call("events", [`${mode} after the restart`]), [`${mode} after the restart`]);
        } catch (error) {
          error.message = `over ${mode}: ${error.message}`;
          throw error;
        }
      }));
    });

    await t.test("a clean disconnect is seen by the server", async () => {
      const watcher = io(node.url, { transports: ["websocket"], forceNew: true, reconnection: false, auth: { token: tokenFor("bob", SECRET) } });
      others.push(watcher);
      await once(watcher, "connect");
      const gone = new Set();
      watcher.on("disconnected", ({ id }) => gone.add(id));
      for (const [mode, client] of clients) {
        const { sid } = await client.state();
        await client.disconnect();
        await waitFor(() => gone.has(sid), 5000, `${mode}: the server's disconnect listener for ${sid}`);
      }
    });
  } finally {
    others.forEach((socket) => socket.close());
    await Promise.all(started.map((client) => client.close()));
    await node.stop();
  }
}

module.exports = { MODES, PING_INTERVAL, PING_TIMEOUT, runChecklist };
