"use strict";
// The scale generator's WebSocket client (bench/raw-websocket.js) against the `ws` package's server and against a
// hand-written one that cuts frames anywhere: what the server sends arrives whole and in order, what the client
// sends arrives unmasked and intact, pings are answered, a close code is reported, a wrong handshake is an error.
const test = require("node:test");
const assert = require("node:assert/strict");
const crypto = require("node:crypto");
const net = require("node:net");
const events = require("node:events");
const { WebSocketServer } = require("ws");
const { RawWebSocket } = require("../bench/raw-websocket");
const { LeanClient } = require("../bench/lean-client");
const { startNode, once: onceWithin } = require("./support/node");

/** events.once (which rejects on an "error" event first), bounded: rejects after `ms` when `event` does not come. */
function once(emitter, event, ms = 5000) {
  return events.once(emitter, event, { signal: AbortSignal.timeout(ms) }).catch((error) => {
    throw error.name === "AbortError" ? new Error(`no '${event}' within ${ms} ms`) : error;
  });
}

async function wsServer(t) {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await once(server, "listening");
  t.after(() => new Promise((resolve) => {
    server.clients.forEach((client) => client.terminate());
    server.close(resolve);
  }));
  return { server, url: `ws://127.0.0.1:${server.address().port}/socket.io/?EIO=4&transport=websocket` };
}

/** Resolves with the first `count` messages `client` receives, as strings; rejects when they take over `ms`. */
function messages(client, count, ms = 5000) {
  return new Promise((resolve, reject) => {
    const received = [];
    const timer = setTimeout(() => reject(new Error(`${received.length} of ${count} messages within ${ms} ms`)), ms);
    client.on("message", (data) => {
      received.push(data.toString());
      if (received.length === count) {
        clearTimeout(timer);
        resolve(received);
      }
    });
  });
}

test("frames of every length encoding arrive whole and in order, both ways", async (t) => {
  const { server, url } = await wsServer(t);
  const texts = ["2", "x".repeat(125), "y".repeat(126), "é".repeat(20000), "z".repeat(70000)];
  const atServer = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the server did not get every frame within 5000 ms")), 5000);
    server.once("connection", (socket, request) => {
      socket.on("message", function onMessage(data, isBinary) {
        assert.equal(isBinary, false);
        this.received = [...(this.received || []), data.toString()];
        if (this.received.length === texts.length) {
          clearTimeout(timer);
          resolve({ received: this.received, path: request.url });
        }
      });
      texts.forEach((text) => socket.send(text));
    });
  });
  const client = new RawWebSocket(url);
  const received = messages(client, texts.length);
  await once(client, "open");
  assert.equal(client.readyState, 1);
  texts.forEach((text) => client.send(text));
  assert.deepEqual(await received, texts);
  const server_ = await atServer;
  assert.deepEqual(server_.received, texts);
  assert.equal(server_.path, "/socket.io/?EIO=4&transport=websocket");
  client.terminate();
  assert.equal(client.readyState, 3);
});

test("a ping is answered with a pong of the same payload, and a close code is reported", async (t) => {
  const { server, url } = await wsServer(t);
  const client = new RawWebSocket(url);
  const [socket] = await once(server, "connection");
  await once(client, "open");
  socket.ping("are you there");
  const [payload] = await once(socket, "pong");
  assert.equal(payload.toString(), "are you there");
  socket.close(4001, "bye");
  const [code] = await once(client, "close");
  assert.equal(code, 4001);
  assert.equal(client.readyState, 3);
});

test("frames cut anywhere or run together in one chunk are read the same, by two clients at once", async (t) => {
  const frames = ["40/chat,", "42/chat,[\"scale\",{\"t\":1}]", "a".repeat(300)].map((text) => {
    const payload = Buffer.from(text);
    const header = payload.length < 126 ? Buffer.from([0x81, payload.length]) : Buffer.from([0x81, 126, payload.length >> 8, payload.length & 0xff]);
    return Buffer.concat([header, payload]);
  });
  const bytes = Buffer.concat(frames);
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    socket.once("data", async (request) => {
      const key = /Sec-WebSocket-Key: (\S+)/.exec(request.toString())[1];
      const accept = crypto.createHash("sha1").update(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest("base64");
      // The answer and the first three bytes of the first frame in one write, then the rest a few bytes at a time.
      socket.write(Buffer.concat([Buffer.from(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`), bytes.subarray(0, 3)]));
      for (let i = 3; i < bytes.length; i += 7) {
        socket.write(bytes.subarray(i, Math.min(i + 7, bytes.length)));
        if (i < 60) await new Promise((resolve) => setTimeout(resolve, 2));
      }
      // And all three again in one write.
      socket.write(bytes);
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  t.after(() => server.close());
  // Two clients at once: every socket of the process reads into the same buffer, so their partial frames interleave.
  const clients = [1, 2].map(() => new RawWebSocket(`ws://127.0.0.1:${server.address().port}/socket.io/?EIO=4&transport=websocket`));
  const expected = ["40/chat,", "42/chat,[\"scale\",{\"t\":1}]", "a".repeat(300)];
  for (const received of await Promise.all(clients.map((client) => messages(client, 6)))) {
    assert.deepEqual(received, [...expected, ...expected]);
  }
  clients.forEach((client) => client.terminate());
});

test("a connection closed before the handshake's answer is an error", async (t) => {
  const server = net.createServer((socket) => socket.once("data", () => socket.end()));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  t.after(() => server.close());
  const client = new RawWebSocket(`ws://127.0.0.1:${server.address().port}/`);
  // (events.once would reject on the error that comes first.)
  const closed = onceWithin(client, "close");
  const [error] = await once(client, "error");
  assert.match(error.message, /closed before the handshake/);
  assert.deepEqual(await closed, [1006]);
  assert.equal(client.readyState, 3);
});

test("a refused connection is one error, then the close", async () => {
  const server = net.createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  const client = new RawWebSocket(`ws://127.0.0.1:${port}/`);
  const errors = [];
  client.on("error", (error) => errors.push(error.code));
  assert.deepEqual(await onceWithin(client, "close"), [1006]);
  // The socket's own close event comes after the error; by then nothing more may be reported.
  if (!client.socket.closed) await onceWithin(client.socket, "close");
  assert.deepEqual(errors, ["ECONNREFUSED"]);
});

test("an answer that is no WebSocket upgrade is an error, and the connection is closed", async (t) => {
  const server = net.createServer((socket) => socket.once("data", () => socket.end("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n")));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  t.after(() => server.close());
  const client = new RawWebSocket(`ws://127.0.0.1:${server.address().port}/`);
  const [error] = await once(client, "error");
  assert.match(error.message, /unexpected handshake answer: HTTP\/1.1 503/);
  assert.equal(client.readyState, 3);
});

test("the lean client on it joins a room of a real node and hears the room's messages", async (t) => {
  const node = await startNode("--product");
  t.after(() => node.stop());
  const clients = [1, 2].map(() => new LeanClient(node.url, "/chat", { raw: true, ackTimeoutMs: 5000 }));
  t.after(() => clients.forEach((client) => client.close()));
  const connected = Promise.all(clients.map((client) => client.connected));
  const [alice, bob] = await Promise.race([connected, new Promise((resolve, reject) =>
    setTimeout(() => reject(new Error("the lean clients did not connect within 5000 ms")), 5000).unref())]);
  assert.deepEqual(await alice.emitWithAck("joinRoom", "lobby"), [{ room: "lobby", joined: true }]);
  assert.deepEqual(await bob.emitWithAck("joinRoom", "lobby"), [{ room: "lobby", joined: true }]);
  const heard = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no 'chatToClient' within 5000 ms")), 5000);
    bob.on("chatToClient", (message) => {
      clearTimeout(timer);
      resolve(message);
    });
  });
  alice.emit("chatToRoom", { room: "lobby", message: "x".repeat(500) });
  const message = await heard;
  assert.equal(message.room, "lobby");
  assert.equal(message.message, "x".repeat(500));
});
