"use strict";
// A Node.js socket.io 4 server in a cluster through @socket.io/redis-adapter, with one client of its own, for the
// Java interop tests: `node interop/node-server.js <redis-url> [key]`. Prints "READY <port> <clientSocketId>",
// then "GOT <event> <json args>" for every event its client receives. Exits when stdin closes.
const http = require("node:http");
const { Server } = require("socket.io");
const { createAdapter } = require("@socket.io/redis-adapter");
const { createClient } = require("redis");
const { io: connect } = require("socket.io-client");

async function main() {
  const [redisUrl, key = "socket.io"] = process.argv.slice(2);
  const pub = createClient({ url: redisUrl });
  const sub = pub.duplicate();
  await Promise.all([pub.connect(), sub.connect()]);
  const httpServer = http.createServer();
  const io = new Server(httpServer, { adapter: createAdapter(pub, sub, { key }) });
  io.on("nodeInfo", (ack) => ack({ nodeId: "node-js", totalConnections: io.engine.clientsCount }));
  io.on("connection", (socket) => socket.join("node-room"));
  await new Promise((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
  const client = connect(`http://127.0.0.1:${httpServer.address().port}`, { transports: ["websocket"] });
  client.onAny((event, ...args) => process.stdout.write(`GOT ${event} ${JSON.stringify(args)}\n`));
  await new Promise((resolve) => client.on("connect", resolve));
  process.stdout.write(`READY ${httpServer.address().port} ${client.id}\n`);
  process.stdin.resume();
  process.stdin.on("end", async () => {
    client.disconnect();
    io.close();
    await Promise.all([pub.quit(), sub.quit()]).catch(() => {});
    process.exit(0);
  });
}

main().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
