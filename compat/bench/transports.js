"use strict";
// Transport benchmark: the cluster transports on room-local traffic as the cluster grows. For each target (classic
// on one Redis, sharded on one Redis, sharded on a Redis Cluster of three primaries and three replicas) and each
// node count (3, then 6), every node holds the same rooms: each room's members and its publisher are on that node,
// and each publisher sends to its room at a fixed rate, so a node's own work is the same at 3 and at 6 nodes and only
// what the transport makes it read from Redis changes. Per node: CPU per delivered message (process CPU from /proc)
// and messages and bytes received from Redis (the node's own socketio_cluster_*_received_total). Prints one
// "BENCH {...}" line per run and a "RATIO {...}" line (6 nodes against 3 per target; sharded against classic).
// Not part of the default test run; takes about a minute per run (six runs).
//
//   mvn -B -q -DskipTests package && cd compat && node bench/transports.js
//   (TRANSPORTS_TARGETS=classic,sharded,sharded-cluster TRANSPORTS_NODES=3,6 TRANSPORTS_ROOMS_PER_NODE=10
//    TRANSPORTS_MEMBERS=1 TRANSPORTS_RATE=10 TRANSPORTS_SECONDS=20 TRANSPORTS_WARMUP_SECONDS=20 TRANSPORTS_IDLE_SECONDS=5
//    TRANSPORTS_REPEAT=1)
const { execFileSync, spawn } = require("node:child_process");
const fs = require("node:fs");
const net = require("node:net");
const os = require("node:os");
const path = require("node:path");
const { LeanClient } = require("./lean-client");
const { now } = require("./clock");
const { processStats, machineJiffies } = require("./proc");
const { exitOnSignals, stopChild, killNow, killPidNow } = require("./children");
const { freePorts } = require("../test/support/ports");
const { startRedis } = require("../test/support/redis");
const { waitFor } = require("../test/support/node");

const env = (name, fallback) => process.env[`TRANSPORTS_${name}`] || fallback;
const TARGETS = env("TARGETS", "classic,sharded,sharded-cluster").split(",");
const NODE_COUNTS = env("NODES", "3,6").split(",").map(Number);
// Sized for a shared 2-core machine: per node 10 rooms of two (a publisher and one member), 100 messages/s to Redis
// and 200 deliveries/s, so that six nodes, their Redis and the one-threaded generator keep up without loss. A node's
// idle CPU (measured, no traffic) is subtracted as well as reported.
const ROOMS_PER_NODE = Number(env("ROOMS_PER_NODE", 10));
// Members per room besides its publisher (who is in the room too and hears its own messages).
const MEMBERS = Number(env("MEMBERS", 1));
// Messages per second per room.
const RATE = Number(env("RATE", 10));
// Seconds without traffic over which each node's idle CPU is measured.
const IDLE_SECONDS = Number(env("IDLE_SECONDS", 5));
const SECONDS = Number(env("SECONDS", 20));
const WARMUP_SECONDS = Number(env("WARMUP_SECONDS", 20));
// Each run repeated, the median of each figure reported.
const REPEAT = Number(env("REPEAT", 1));
const JAVA_OPTS = env("JAVA_OPTS", "-Xmx256m").split(" ").filter(Boolean);
const jar = process.env.BENCH_JAR || path.resolve(__dirname, "../../gateway/target/gateway.jar");

// Everything this command started: the nodes and a Redis Cluster's redis-server processes (`started`), and a single
// Redis (test/support/redis.js keeps the child: its pid, until its stop() has run). Killed on any exit, Ctrl-C and
// kill included (exitOnSignals), so that a failed or interrupted run leaves nothing behind.
const started = new Set();
const startedRedis = new Set();
process.on("exit", () => {
  started.forEach(killNow);
  startedRedis.forEach((redis) => redis.pid && killPidNow(redis.pid));
});
exitOnSignals();

/** A single Redis (its pid stays in startedRedis until stop() has run). */
async function startOwnRedis() {
  const redis = await startRedis();
  startedRedis.add(redis);
  return { url: redis.url, async stop() {
    await redis.stop();
    startedRedis.delete(redis);
  } };
}

/** What the node says it received from Redis: messages and bytes (its Prometheus counters). */
async function receivedFromRedis(server) {
  const text = await (await fetch(`http://127.0.0.1:${server.managementPort}/metrics`)).text();
  const value = (name) => {
    const line = text.split("\n").find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
    return line ? Number(line.slice(line.lastIndexOf(" ") + 1)) : 0;
  };
  return { messages: value("socketio_cluster_messages_received_total"), bytes: value("socketio_cluster_bytes_received_total") };
}

function isFree(port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

function cli(port, ...words) {
  try {
    return execFileSync("redis-cli", ["-h", "127.0.0.1", "-p", String(port), ...words], { encoding: "utf8", timeout: 5000 });
  } catch {
    return "";
  }
}

/** Six redis-server --cluster-enabled processes (three primaries, three replicas) on free ports of 127.0.0.1. */
async function startRedisCluster() {
  const ports = [];
  while (ports.length < 6) {
    const port = 20000 + Math.floor(Math.random() * 10000);
    // The cluster bus listens on port + 10000.
    if (!ports.includes(port) && (await isFree(port)) && (await isFree(port + 10000))) ports.push(port);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-redis-cluster-"));
  const children = ports.map((port) => spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1",
    "--cluster-enabled", "yes", "--cluster-config-file", `nodes-${port}.conf`, "--dir", dir, "--save", "",
    "--appendonly", "no", "--protected-mode", "no", "--repl-diskless-sync-delay", "0"], { stdio: "ignore" }));
  children.forEach((child) => {
    child.on("error", () => {}); // not started (no redis-server): the PING wait below fails
    started.add(child);
  });
  const stop = async () => {
    await Promise.all(children.map((child) => stopChild(child, 0)));
    children.forEach((child) => started.delete(child));
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(() => ports.every((port) => cli(port, "PING").trim() === "PONG"), 10000, "redis-server --cluster-enabled");
    execFileSync("redis-cli", ["--cluster", "create", ...ports.map((p) => `127.0.0.1:${p}`), "--cluster-replicas", "1",
      "--cluster-yes"], { stdio: "ignore", timeout: 30000 });
    await waitFor(() => ports.every((port) => cli(port, "CLUSTER", "INFO").includes("cluster_state:ok")), 30000, "cluster_state:ok");
  } catch (error) {
    // Not left running for the retry (run() starts six more).
    await stop();
    throw error;
  }
  return { url: "redis-cluster://" + ports.map((p) => `127.0.0.1:${p}`).join(","), stop };
}

async function startNodes(count, redisUrl, transport) {
  const key = `transports-${Date.now()}`;
  const servers = [];
  // One after another: six JVMs starting at once on a busy 2-core machine ran past the 5-s Redis connect timeout.
  for (let i = 1; i <= count; i++) {
    const [port, managementPort] = await freePorts(2);
    // The node logs to stdout: kept in a file, so that a node that does not start says why.
    const log = path.join(os.tmpdir(), `${key}-node-${i}.log`);
    const child = spawn("java", [...JAVA_OPTS, "-jar", jar], { stdio: ["pipe", fs.openSync(log, "w"), "inherit"], env: { ...process.env,
      SOCKETIO_HOST: "127.0.0.1", SOCKETIO_PORT: String(port), MANAGEMENT_PORT: String(managementPort), REDIS_URL: redisUrl,
      REDIS_ADAPTER: transport, REDIS_KEY: key, NODE_ID: `node-${i}`, EVENT_RATE: "0", MAX_CONNECTIONS: "0",
      LOG_LEVEL: "WARN", DASHBOARD_INTERVAL: "600000", CLUSTER_REQUEST_TIMEOUT: "20000" } });
    // A node that died has closed its stdin: ending it must not end this process (EPIPE).
    child.stdin.on("error", () => {});
    started.add(child);
    const server = { port, managementPort, url: `http://127.0.0.1:${port}`, pid: child.pid, child, log };
    servers.push(server);
    try {
      await waitFor(async () => {
        if (server.child.exitCode !== null) throw new Error(`node on ${server.port} exited; see ${server.log}`);
        try {
          return (await fetch(`${server.url}/socket.io/?EIO=4&transport=polling`)).ok;
        } catch {
          return false;
        }
      }, 180000, `node on ${server.port}`);
    } catch (error) {
      await stopNodes(servers);
      throw error;
    }
  }
  return servers;
}

/** Stops the nodes (stdin closed, SIGTERM, SIGKILL after stopChild's grace) and resolves once all have ended. */
async function stopNodes(servers) {
  for (const server of servers) server.child.stdin.end();
  await Promise.all(servers.map(async (server) => {
    await stopChild(server.child);
    started.delete(server.child);
  }));
}

/** Every node's rooms, each with its members and its publisher on that node; deliveries counted per node. */
async function joinRooms(servers) {
  const rooms = [];
  for (const [index, server] of servers.entries()) {
    for (let r = 0; r < ROOMS_PER_NODE; r++) {
      const name = `n${index}-r${r}`;
      const clients = await Promise.all(Array.from({ length: MEMBERS + 1 }, () => new LeanClient(server.url, "/chat").connected));
      await Promise.all(clients.map((client) => client.emitWithAck("joinRoom", name)));
      const room = { name, node: index, publisher: clients[0], clients, delivered: 0, phase: "" };
      // Only the measured phase's messages count: on a busy machine the warm-up's may still be arriving.
      clients.forEach((client) => client.on("chatToClient", (m) => m.message.startsWith(room.phase) && room.delivered++));
      rooms.push(room);
    }
  }
  return rooms;
}

async function publish(rooms, seconds, phase) {
  rooms.forEach((room) => {
    room.phase = `${phase} `;
    room.delivered = 0;
  });
  const started = now();
  let sent = 0;
  await new Promise((resolve) => {
    const tick = setInterval(() => {
      const due = Math.floor(((now() - started) / 1000) * RATE);
      while (sent < due) {
        for (const room of rooms) room.publisher.emit("chatToRoom", { room: room.name, message: `${phase} ${sent} ${"x".repeat(60)}` });
        sent++;
      }
      if (now() - started >= seconds * 1000) {
        clearInterval(tick);
        resolve();
      }
    }, 5);
  });
  return { sent, elapsed: (now() - started) / 1000 };
}

function median(values) {
  const sorted = values.filter((v) => v != null).sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)] : null;
}

const round = (value, digits = 2) => (value == null ? null : Number(value.toFixed(digits)));

async function runOnce(target, nodeCount) {
  const transport = target.startsWith("sharded") ? "sharded" : "classic";
  const redis = target.endsWith("-cluster") ? await startRedisCluster() : await startOwnRedis();
  let servers;
  try {
    servers = await startNodes(nodeCount, redis.url, transport);
  } catch (error) {
    await redis.stop();
    throw error;
  }
  try {
    const rooms = await joinRooms(servers);
    // Sharded room channels are subscribed once Redis confirmed them; the warm-up also covers that.
    await publish(rooms, WARMUP_SECONDS, "warm-up");
    await new Promise((r) => setTimeout(r, 2000));
    const idleBefore = servers.map((s) => processStats(s.pid).cpuSeconds);
    await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
    const idlePerSecond = servers.map((s, i) => (processStats(s.pid).cpuSeconds - idleBefore[i]) / IDLE_SECONDS);
    // Every figure below is over one span: from these readings (before the first message) to the ones after the
    // drain (up to 5 s after the last message), which the deliveries, the CPU and Redis's counters all cover.
    const redisBefore = await Promise.all(servers.map(receivedFromRedis));
    const cpuBefore = servers.map((s) => processStats(s.pid).cpuSeconds);
    const machineBefore = machineJiffies();
    const measureStarted = now();
    const { sent, elapsed } = await publish(rooms, SECONDS, "measured");
    const expectedPerRoom = sent * (MEMBERS + 1);
    await waitFor(() => rooms.every((room) => room.delivered >= expectedPerRoom), 5000, "drain").catch(() => {});
    const deliveredByRoom = rooms.map((room) => room.delivered);
    const cpuAfter = servers.map((s) => processStats(s.pid).cpuSeconds);
    const machineAfter = machineJiffies();
    const redisAfter = await Promise.all(servers.map(receivedFromRedis));
    const span = (now() - measureStarted) / 1000;
    const perNode = servers.map((server, i) => {
      const delivered = rooms.reduce((total, room, r) => total + (room.node === i ? deliveredByRoom[r] : 0), 0);
      const cpu = cpuAfter[i] - cpuBefore[i];
      const busy = Math.max(0, cpu - idlePerSecond[i] * span);
      return {
        delivered,
        cpuSeconds: round(cpu),
        idleCpuShare: round(idlePerSecond[i], 3),
        cpuMicrosPerDelivery: delivered ? round((cpu * 1e6) / delivered) : null,
        busyCpuMicrosPerDelivery: delivered ? round((busy * 1e6) / delivered) : null,
        redisMessagesPerSecond: Math.round((redisAfter[i].messages - redisBefore[i].messages) / span),
        redisBytesPerSecond: Math.round((redisAfter[i].bytes - redisBefore[i].bytes) / span),
      };
    });
    const delivered = perNode.reduce((total, node) => total + node.delivered, 0);
    rooms.forEach((room) => room.clients.forEach((client) => client.close()));
    return {
      target, nodes: nodeCount, roomsPerNode: ROOMS_PER_NODE, recipientsPerMessage: MEMBERS + 1, ratePerRoom: RATE,
      // Sending time, and the span the rates and CPU figures are over (sending plus the drain).
      seconds: round(elapsed, 1), measuredSeconds: round(span, 1), deliveriesPerSecondPerNode: Math.round(delivered / nodeCount / span),
      loss: expectedPerRoom * rooms.length - delivered,
      cpuMicrosPerDelivery: median(perNode.map((n) => n.cpuMicrosPerDelivery)),
      busyCpuMicrosPerDelivery: median(perNode.map((n) => n.busyCpuMicrosPerDelivery)),
      redisMessagesPerSecondPerNode: median(perNode.map((n) => n.redisMessagesPerSecond)),
      redisBytesPerSecondPerNode: median(perNode.map((n) => n.redisBytesPerSecond)),
      machineCpuShare: round((machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total)),
      perNode,
    };
  } finally {
    await stopNodes(servers);
    await redis.stop();
  }
}

async function run(target, nodeCount) {
  const runs = [];
  for (let i = 0; i < REPEAT; i++) {
    // A node that could not start (a free port taken meanwhile by another process) costs one retry of the run.
    runs.push(await runOnce(target, nodeCount).catch((error) => {
      console.error(`transports bench: ${error.message}; running ${target} with ${nodeCount} nodes again`);
      return runOnce(target, nodeCount);
    }));
  }
  const result = { ...runs[0] };
  for (const key of ["deliveriesPerSecondPerNode", "cpuMicrosPerDelivery", "busyCpuMicrosPerDelivery", "redisMessagesPerSecondPerNode",
    "redisBytesPerSecondPerNode", "machineCpuShare", "seconds", "measuredSeconds"]) {
    result[key] = median(runs.map((r) => r[key]));
  }
  result.loss = Math.max(...runs.map((r) => r.loss));
  result.runs = runs.length;
  if (runs.length > 1) delete result.perNode;
  return result;
}

async function main() {
  if (!fs.existsSync(jar)) throw new Error(`${jar} is missing: mvn -B -q -DskipTests package`);
  const results = {};
  for (const target of TARGETS) {
    for (const nodes of NODE_COUNTS) {
      const result = await run(target, nodes);
      results[`${target}@${nodes}`] = result;
      console.log("BENCH " + JSON.stringify(result));
    }
  }
  const ratio = (a, b) => (a != null && b ? round(a / b) : null);
  const [few, many] = [NODE_COUNTS[0], NODE_COUNTS[NODE_COUNTS.length - 1]];
  const figures = ["cpuMicrosPerDelivery", "busyCpuMicrosPerDelivery", "redisMessagesPerSecondPerNode", "redisBytesPerSecondPerNode"];
  const growth = {};
  for (const target of TARGETS) {
    growth[target] = Object.fromEntries(figures.map((f) => [f, ratio(results[`${target}@${many}`]?.[f], results[`${target}@${few}`]?.[f])]));
  }
  const againstClassic = {};
  for (const target of TARGETS.filter((t) => t !== "classic")) {
    againstClassic[target] = Object.fromEntries(NODE_COUNTS.map((n) => [n,
      Object.fromEntries(figures.map((f) => [f, ratio(results[`${target}@${n}`]?.[f], results[`classic@${n}`]?.[f])]))]));
  }
  console.log("RATIO " + JSON.stringify({ [`nodes${many}VsNodes${few}`]: growth, againstClassic }));
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
