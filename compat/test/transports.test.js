"use strict";
const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const { io } = require("socket.io-client");
const { startNode, once, waitFor, ackOf } = require("./support/node");

let node;

/** Resolves when the socket's connection has upgraded from polling to websocket. */
function upgradeOf(socket) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no upgrade within 5 s")), 5000);
    socket.io.once("open", () => socket.io.engine.once("upgrade", () => {
      clearTimeout(timer);
      resolve();
    }));
  });
}

before(async () => (node = await startNode()));
after(async () => node.stop());

for (const transports of [["websocket"], ["polling"], ["polling", "websocket"]]) {
  test(`socket.io-client over ${transports.join(" then ")} connects, emits and gets acks`, async () => {
    const socket = io(node.url, { transports, reconnection: false, forceNew: true });
    const upgraded = transports.length === 2 ? upgradeOf(socket) : null;
    try {
      await once(socket, "connect");
      assert.match(socket.id, /^[A-Za-z0-9_-]{20}$/);
      if (transports.length === 2) {
        await upgraded;
      }
      assert.equal(socket.io.engine.transport.name, transports[transports.length - 1]);

      socket.emit("message", "hello", 42);
      assert.deepEqual(await once(socket, "message-back"), ["hello", 42]);
      const ackArgs = await ackOf(socket, "message-with-ack", [{ a: [1, 2] }, "x"]);
      assert.deepEqual(ackArgs, [{ a: [1, 2] }, "x"]);
    } finally {
      socket.disconnect();
    }
  });
}

// The client's `protocols` option: ws (engine.io's server) selects the first subprotocol named, and a WebSocket
// client fails a handshake whose answer selects none of those it asked for.
for (const transports of [["websocket"], ["polling", "websocket"]]) {
  test(`a client asking for WebSocket subprotocols over ${transports.join(" then ")} gets the first it names`, async () => {
    const socket = io(node.url, { transports, protocols: ["chat.v1", "chat.v2"], reconnection: false, forceNew: true });
    const upgraded = transports.length === 2 ? upgradeOf(socket) : null;
    try {
      await once(socket, "connect");
      if (upgraded) {
        await upgraded;
      }
      assert.equal(socket.io.engine.transport.name, "websocket");
      assert.equal(socket.io.engine.transport.ws.protocol, "chat.v1");
      assert.deepEqual(await ackOf(socket, "message-with-ack", ["x"]), ["x"]);
    } finally {
      socket.disconnect();
    }
  });
}

test("the upgrade keeps messages sent while it happens, in order", async () => {
  const socket = io(node.url, { transports: ["polling", "websocket"], reconnection: false, forceNew: true });
  const engine = socket.io.engine;
  const upgraded = upgradeOf(socket);
  const received = [];
  socket.on("message-back", (n) => received.push(n));
  // The first batch goes out the moment the WebSocket probe has succeeded: polling is being paused and the engine
  // holds what is written until it has switched (a batch emitted before the connect answer goes once it arrives).
  let firstBatch = null;
  engine.once("upgrading", () => {
    firstBatch = { transport: engine.transport.name, upgrading: engine.upgrading };
    for (let i = 0; i < 50; i++) socket.emit("message", i);
  });
  try {
    await once(socket, "connect");
    await upgraded;
    assert.deepEqual(firstBatch, { transport: "polling", upgrading: true }, "the first batch was sent during the upgrade");
    assert.equal(engine.transport.name, "websocket");
    for (let i = 50; i < 100; i++) socket.emit("message", i);
    await waitFor(() => received.length >= 100, 5000, "100 messages back");
    assert.deepEqual(received, Array.from({ length: 100 }, (_, i) => i));
  } finally {
    socket.disconnect();
  }
});
