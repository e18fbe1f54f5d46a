"use strict";
// socket.io-client 2.x speaks Engine.IO v3; the node accepts it when allowEIO3 is on, as socket.io 4 does.
const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const ioV2 = require("socket.io-client-v2");
const { startNode, once, ackOf } = require("./support/node");
const { v2Client } = require("./support/client-drivers");
const { runChecklist } = require("./support/client-checklist");

let node;
before(async () => (node = await startNode("--allowEIO3=true")));
after(async () => node.stop());

for (const transports of [["websocket"], ["polling"], ["polling", "websocket"]]) {
  test(`socket.io-client 2.x over ${transports.join(" then ")}: connects, emits, acks, binary`, async () => {
    const socket = ioV2(node.url, { transports, query: { token: "v2-token" }, reconnection: false, forceNew: true });
    try {
      await once(socket, "connect");
      socket.emit("message", "hi", { bin: Buffer.from([1, 2, 3]) });
      const [text, withBinary] = await once(socket, "message-back");
      assert.equal(text, "hi");
      assert.deepEqual([...withBinary.bin], [1, 2, 3]);

      const acked = await ackOf(socket, "message-with-ack", [1, "b"]);
      assert.deepEqual(acked, [1, "b"]);

      const [info] = await ackOf(socket, "handshake", [null]);
      assert.equal(info.query.token, "v2-token");
      assert.equal(info.query.EIO, "3");
    } finally {
      socket.close();
    }
  });
}

test("socket.io-client 2.x: a namespace's query string is its auth", async () => {
  const socket = ioV2(`${node.url}/custom?token=ns-token`, { reconnection: false, forceNew: true });
  try {
    const [auth] = await once(socket, "auth");
    assert.deepEqual(auth, { token: "ns-token" });
  } finally {
    socket.close();
  }
});

test("socket.io-client 2.x: heartbeat keeps the connection through several ping cycles", async () => {
  const socket = ioV2(node.url, { transports: ["websocket"], reconnection: false, forceNew: true });
  try {
    await once(socket, "connect");
    let pongs = 0;
    socket.on("pong", () => pongs++);
    const deadline = Date.now() + 3000;
    while (pongs < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.ok(pongs >= 3, `pongs: ${pongs}`);
    assert.equal(socket.connected, true);
  } finally {
    socket.close();
  }
});

test("socket.io-client 2.x against the real node: the client checklist", async (t) => {
  await runChecklist(t, v2Client);
});
