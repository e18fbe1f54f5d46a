"use strict";
// Redis's cost per cluster message (the capacity model's r_op; not in the default run): one redis-server of its own,
// N subscribed connections standing for N gateway nodes, and redis-benchmark sending what each transport sends per
// broadcast: PUBLISH (classic) and SPUBLISH (sharded) of a message-sized payload, XADD with MAXLEN ~ (streams).
// Prints one "REDIS_OPS {...}" line: per operation and subscriber count, operations/s one Redis sustained (one
// core) and Redis's CPU per operation (from /proc).
//
//   cd compat && node bench/redis-ops.js     (REDIS_OPS_SUBSCRIBERS=3,6 REDIS_OPS_REQUESTS=200000 REDIS_OPS_BYTES=200)
const { execFileSync, spawn } = require("node:child_process");
const { startRedis } = require("../test/support/redis");
const { processStats } = require("./proc");

const SUBSCRIBERS = (process.env.REDIS_OPS_SUBSCRIBERS || "3,6").split(",").map(Number);
const REQUESTS = Number(process.env.REDIS_OPS_REQUESTS || 200000);
// About a socket.io-redis broadcast of a short chat message (msgpack: uid, packet, opts with rooms).
const BYTES = Number(process.env.REDIS_OPS_BYTES || 200);
const PAYLOAD = "x".repeat(BYTES);

/** N connections subscribed (SUBSCRIBE or SSUBSCRIBE) to `channel`, their output read and thrown away. */
async function subscribers(port, count, command, channel) {
  const children = Array.from({ length: count }, () =>
    spawn("redis-cli", ["-p", String(port), command, channel], { stdio: ["ignore", "ignore", "inherit"] }));
  const wanted = command === "SSUBSCRIBE" ? "PUBSUB SHARDNUMSUB" : "PUBSUB NUMSUB";
  for (const deadline = Date.now() + 10000; ;) {
    const reply = execFileSync("redis-cli", ["-p", String(port), ...wanted.split(" "), channel], { encoding: "utf8" });
    if (Number(reply.trim().split("\n")[1]) === count) break;
    if (Date.now() > deadline) throw new Error(`${count} ${command} connections did not come up`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return () => children.forEach((child) => child.kill());
}

/** Runs one redis-benchmark command; returns operations/s and Redis's CPU per operation. */
function measure(port, pid, args) {
  const before = processStats(pid).cpuSeconds;
  const csv = execFileSync("redis-benchmark", ["-p", String(port), "-n", String(REQUESTS), "-c", "50", "--csv", ...args],
    { encoding: "utf8" });
  const cpu = processStats(pid).cpuSeconds - before;
  // "test","rps",...: the second line holds the figures.
  const rps = Number(csv.trim().split("\n")[1].split(",")[1].replaceAll('"', ""));
  return { operationsPerSecond: Math.round(rps), redisCpuMicrosPerOperation: Number(((cpu * 1e6) / REQUESTS).toFixed(2)) };
}

async function main() {
  const redis = await startRedis();
  if (!redis.pid) throw new Error("redis-ops starts its own redis-server (unset REDIS_URL)");
  const port = new URL(redis.url).port;
  const results = [];
  try {
    for (const count of SUBSCRIBERS) {
      for (const [transport, command, publish] of [["classic", "SUBSCRIBE", "PUBLISH"], ["sharded", "SSUBSCRIBE", "SPUBLISH"]]) {
        const stop = await subscribers(port, count, command, "socket.io#/chat#room#");
        try {
          results.push({ transport, operation: publish, subscribers: count, ...measure(port, redis.pid, [publish, "socket.io#/chat#room#", PAYLOAD]) });
        } finally {
          stop();
        }
      }
    }
    // The streams transport appends each broadcast once, whatever the node count; the nodes read it in batches.
    results.push({ transport: "streams", operation: "XADD MAXLEN ~ 10000", subscribers: 0,
      ...measure(port, redis.pid, ["XADD", "socket.io-stream", "MAXLEN", "~", "10000", "*", "uid", "node", "nsp", "/chat", "type", "3", "data", PAYLOAD]) });
  } finally {
    await redis.stop();
  }
  console.log("REDIS_OPS " + JSON.stringify({ requests: REQUESTS, payloadBytes: BYTES, results }));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
