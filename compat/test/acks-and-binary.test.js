"use strict";
const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const { io } = require("socket.io-client");
const { startNode, once } = require("./support/node");

let node;
before(async () => (node = await startNode()));
after(async () => node.stop());

function withAck(socket, event, ...args) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ack for ${event}`)), 5000);
    socket.emit(event, ...args, (...answer) => {
      clearTimeout(timer);
      resolve(answer);
    });
  });
}

for (const transports of [["websocket"], ["polling"]]) {
  const label = transports[0];

  test(`${label}: acks with several arguments, client to server`, async () => {
    const socket = io(node.url, { transports, reconnection: false, forceNew: true });
    try {
      await once(socket, "connect");
      assert.deepEqual(await withAck(socket, "message-with-ack", 1, "two", { three: [3] }, null, true),
        [1, "two", { three: [3] }, null, true]);
    } finally {
      socket.disconnect();
    }
  });

  test(`${label}: acks with several arguments, server to client`, async () => {
    const socket = io(node.url, { transports, reconnection: false, forceNew: true });
    try {
      await once(socket, "connect");
      socket.on("question", (question, answer) => answer(`answer to ${question}`, 2));
      assert.deepEqual(await withAck(socket, "ask-client", "q"), ["answer to q", 2]);
    } finally {
      socket.disconnect();
    }
  });

  test(`${label}: binary nested in objects and arrays, several attachments, both directions, with and without acks`, async () => {
    const socket = io(node.url, { transports, reconnection: false, forceNew: true });
    try {
      await once(socket, "connect");
      const payload = {
        buffer: Buffer.from([1, 2, 3]),
        nested: { arrayBuffer: new Uint8Array([4, 5]).buffer, list: [Buffer.from([6]), "text", Buffer.alloc(0)] },
      };
      socket.emit("message", payload, Buffer.from([7, 8]));
      const [echoed, second] = await once(socket, "message-back");
      assert.deepEqual([...echoed.buffer], [1, 2, 3]);
      assert.deepEqual([...new Uint8Array(echoed.nested.arrayBuffer)], [4, 5]);
      assert.deepEqual([...echoed.nested.list[0]], [6]);
      assert.equal(echoed.nested.list[1], "text");
      assert.equal(echoed.nested.list[2].length, 0);
      assert.deepEqual([...second], [7, 8]);

      const [acked] = await withAck(socket, "message-with-ack", { data: Buffer.from([9, 10]) });
      assert.deepEqual([...acked.data], [9, 10]);

      socket.emit("binary-to-client");
      const [fromServer] = await once(socket, "binary");
      assert.deepEqual([...fromServer.first], [1, 2, 3]);
      assert.deepEqual([...fromServer.list[0]], [4]);
      assert.equal(fromServer.list[1], "text");
      assert.deepEqual([...fromServer.list[2]], [5, 6]);
    } finally {
      socket.disconnect();
    }
  });

  test(`${label}: binary reaches a handler typed Object as bytes, not as base64 text`, async () => {
    const socket = io(node.url, { transports, reconnection: false, forceNew: true });
    try {
      await once(socket, "connect");
      assert.deepEqual(await withAck(socket, "type-of", Buffer.from([1])), ["byte[]"]);
    } finally {
      socket.disconnect();
    }
  });
}

test("websocket with forceBase64: the client's attachments go as base64 text frames and come back as bytes", async () => {
  const socket = io(node.url, { transports: ["websocket"], forceBase64: true, reconnection: false, forceNew: true });
  try {
    await once(socket, "connect");
    socket.emit("message", { buffer: Buffer.from([1, 2, 3]) }, Buffer.from([4]));
    const [echoed, second] = await once(socket, "message-back");
    assert.deepEqual([...echoed.buffer], [1, 2, 3]);
    assert.deepEqual([...second], [4]);
    assert.equal(socket.connected, true);
  } finally {
    socket.disconnect();
  }
});
