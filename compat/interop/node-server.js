"use strict";
// A Node.js socket.io 4 server in a cluster through @socket.io/redis-adapter, with one client of its own, for the
// Java interop tests: `node interop/node-server.js <redis-url> [key] [classic|sharded]`. Prints
// "READY <port> <clientSocketId>", then "GOT <event> <json args>" for every event its client receives. Its client
// acknowledges "question" with "node-answer". Commands on stdin, one per line, each answered on stdout:
//   EMIT <event> [room]       io.to(room).emit(event, "from-node")                 -> EMITTED
//   FETCH [room]              io.in(room).fetchSockets()                           -> FETCHED <json ids>
//   SSE <event>               io.serverSideEmitWithAck(event)                      -> SSE <json answers>
//   ASK <event>               io.timeout(3000).emitWithAck(event, "from-node")     -> ASKED <json acks>
// Exits when stdin closes.
const http = require("node:http");
const readline = require("node:readline");
const { Server } = require("socket.io");
const { createAdapter, createShardedAdapter } = require("@socket.io/redis-adapter");
const { createClient } = require("redis");
const { io: connect } = require("socket.io-client");

async function main() {
  const [redisUrl, key = "socket.io", kind = "classic"] = process.argv.slice(2);
  const pub = createClient({ url: redisUrl });
  const sub = pub.duplicate();
  await Promise.all([pub.connect(), sub.connect()]);
  const httpServer = http.createServer();
  const adapter = kind === "sharded"
    ? createShardedAdapter(pub, sub, { channelPrefix: key, subscriptionMode: "dynamic" })
    : createAdapter(pub, sub, { key });
  const io = new Server(httpServer, { adapter });
  io.on("nodeInfo", (ack) => ack({ nodeId: "node-js", totalConnections: io.engine.clientsCount }));
  io.on("connection", (socket) => socket.join("node-room"));
  await new Promise((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
  const client = connect(`http://127.0.0.1:${httpServer.address().port}`, { transports: ["websocket"] });
  client.onAny((event, ...args) => process.stdout.write(`GOT ${event} ${JSON.stringify(args)}\n`));
  client.on("question", (...args) => {
    const ack = args[args.length - 1];
    if (typeof ack === "function") ack("node-answer");
  });
  await new Promise((resolve) => client.on("connect", resolve));
  process.stdout.write(`READY ${httpServer.address().port} ${client.id}\n`);
  const print = (line) => process.stdout.write(`${line}\n`);
  const commands = readline.createInterface({ input: process.stdin });
  commands.on("line", async (line) => {
    const [command, name, room] = line.trim().split(" ");
    try {
      if (command === "EMIT") {
        (room ? io.to(room) : io).emit(name, "from-node");
        print("EMITTED");
      } else if (command === "FETCH") {
        const sockets = await (name ? io.in(name) : io).fetchSockets();
        print(`FETCHED ${JSON.stringify(sockets.map((socket) => socket.id).sort())}`);
      } else if (command === "SSE") {
        print(`SSE ${JSON.stringify(await io.serverSideEmitWithAck(name))}`);
      } else if (command === "ASK") {
        print(`ASKED ${JSON.stringify(await io.timeout(3000).emitWithAck(name, "from-node"))}`);
      }
    } catch (error) {
      print(`ERROR ${error.message}`);
    }
  });
  commands.on("close", async () => {
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
