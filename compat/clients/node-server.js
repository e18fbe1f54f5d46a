"use strict";
// A plain Node.js socket.io 4 server, the reference for how a client behaves when a server goes away:
// `node clients/node-server.js <pingInterval> <pingTimeout> [port]` (port 0 or none: a free one).
// Prints "READY <port>". Its `events` acks its data, as the gateway's does. A line "close" on stdin closes every
// connection the way a stopping server does (a WebSocket close frame, or the close packet on the pending poll) but
// keeps listening, so that a client that would reconnect can; then it prints "CLOSED". Exits when stdin ends.
const http = require("node:http");
const readline = require("node:readline");
const { Server } = require("socket.io");

const [pingInterval = "25000", pingTimeout = "20000", port = "0"] = process.argv.slice(2);
const httpServer = http.createServer();
const io = new Server(httpServer, { pingInterval: Number(pingInterval), pingTimeout: Number(pingTimeout) });
io.on("connection", (socket) => socket.on("events", (data, ack) => typeof ack === "function" && ack(data)));

httpServer.listen(Number(port), "127.0.0.1", () => process.stdout.write(`READY ${httpServer.address().port}\n`));
readline.createInterface({ input: process.stdin })
  .on("line", (line) => {
    if (line.trim() !== "close") return;
    for (const client of Object.values(io.engine.clients)) client.close();
    process.stdout.write("CLOSED\n");
  })
  .on("close", () => {
    io.close();
    process.exit(0);
  });
