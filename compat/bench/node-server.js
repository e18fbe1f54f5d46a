"use strict";
// The reference: a Node.js socket.io 4 server with @socket.io/redis-adapter, with the same events as the gateway's
// built-ins that the benchmark uses (/ events echo; /chat joinRoom, chatToRoom -> chatToClient).
// node bench/node-server.js <port> <redis-url> [classic|streams]; prints "READY <port>". With "streams" the adapter is
// @socket.io/redis-streams-adapter (the reference of the gateway's streams transport).
const http = require("node:http");
const { Server } = require("socket.io");
const { createAdapter } = require("@socket.io/redis-adapter");
const { createClient } = require("redis");

async function main() {
  const [port, redisUrl, transport = "classic"] = process.argv.slice(2);
  const pub = createClient({ url: redisUrl });
  const sub = pub.duplicate();
  await Promise.all([pub.connect(), sub.connect()]);
  const server = http.createServer();
  const adapter = transport === "streams" ? require("@socket.io/redis-streams-adapter").createAdapter(pub) : createAdapter(pub, sub);
  const io = new Server(server, { adapter, pingInterval: 25000, pingTimeout: 20000 });
  io.on("connection", (socket) => socket.on("events", (data, ack) => typeof ack === "function" && ack(data)));
  io.of("/chat").on("connection", (socket) => {
    socket.on("joinRoom", (room, ack) => {
      socket.join(room);
      socket.emit("joinedRoom", room);
      if (typeof ack === "function") ack({ room, joined: true });
    });
    socket.on("chatToRoom", (message, ack) => {
      if (!socket.rooms.has(message.room)) return typeof ack === "function" && ack({ error: { code: "forbidden" } });
      io.of("/chat").to(message.room).emit("chatToClient", { room: message.room, message: message.message, from: socket.id, at: Date.now() });
      if (typeof ack === "function") ack({ room: message.room, sent: true });
    });
  });
  server.listen(Number(port), "127.0.0.1", () => process.stdout.write(`READY ${port}\n`));
  process.stdin.resume();
  process.stdin.on("end", () => process.exit(0));
  // "gc" on stdin: a full GC before bench.js reads a memory baseline, as the JVM gets one (bench.js starts this
  // server with --expose-gc; without it, global.gc is missing and the line is ignored).
  process.stdin.on("data", (chunk) => String(chunk).includes("gc") && global.gc?.());
}

main().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
