"use strict";
// What connection state recovery on the streams transport costs Redis per connection: memory of the kept sessions
// and commands per connection, measured on a Java node (REDIS_ADAPTER=streams, CONNECTION_STATE_RECOVERY=true).
// node bench/session-cost.js [connections=500]   (build the gateway first, as for the JS tests)
const { execFileSync } = require("node:child_process");
const { io } = require("socket.io-client");
const { startNode, once } = require("../test/support/node");
const { startRedis } = require("../test/support/redis");

function cli(port, ...args) {
  return execFileSync("redis-cli", ["-p", String(port), ...args], { encoding: "utf8" }).trim();
}

function memory(port) {
  return Number(/used_memory:(\d+)/.exec(cli(port, "INFO", "memory"))[1]);
}

function calls(port) {
  const stats = cli(port, "INFO", "commandstats");
  const result = {};
  for (const match of stats.matchAll(/cmdstat_(\w+):calls=(\d+)/g)) result[match[1]] = Number(match[2]);
  return result;
}

async function main() {
  const connections = Number(process.argv[2] || 500);
  const redis = await startRedis();
  const port = Number(new URL(redis.url).port);
  // 3 s: sessions are refreshed every second, so a few seconds show the refresh rate.
  const node = await startNode("--pingInterval=25000", "--pingTimeout=20000", {
    REDIS_URL: redis.url, REDIS_ADAPTER: "streams", CONNECTION_STATE_RECOVERY: "true", MAX_DISCONNECTION_DURATION: "3000",
  });
  const sockets = [];
  try {
    const before = memory(port);
    for (let i = 0; i < connections; i++) {
      const socket = io(node.url, { transports: ["websocket"], forceNew: true, reconnection: false });
      sockets.push(socket);
      await once(socket, "connect", 20000);
      await socket.timeout(10000).emitWithAck("join", `room-${i % 10}`);
      await socket.timeout(10000).emitWithAck("set-data", { user: `user-${i}`, n: i });
    }
    await new Promise((r) => setTimeout(r, 500));
    const keys = cli(port, "--scan", "--pattern", "sio:session:*").split("\n").filter(Boolean);
    const after = memory(port);
    const oneKey = Number(cli(port, "MEMORY", "USAGE", keys[0]));
    const start = calls(port);
    const window = 5000;
    await new Promise((r) => setTimeout(r, window));
    const end = calls(port);
    const pexpire = (end.pexpire || 0) - (start.pexpire || 0);
    console.log(`connections ${connections}, session keys ${keys.length}`);
    console.log(`MEMORY USAGE of one session key: ${oneKey} bytes; used_memory grew ${((after - before) / connections).toFixed(0)} bytes per connection`);
    console.log(`PEXPIRE over ${window} ms at a 1 s refresh: ${pexpire} (${(pexpire / connections / (window / 1000)).toFixed(2)} per connection per second)`);
    console.log(`SET calls so far ${end.set || 0} (${((end.set || 0) / connections).toFixed(2)} per connection: connect, join, set-data, coalesced per burst)`);
  } finally {
    sockets.forEach((s) => s.disconnect());
    await node.stop();
    await redis.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
