"use strict";
// Benchmark: the gateway cluster against a reference cluster of Node.js socket.io 4 servers with
// @socket.io/redis-adapter, same machine, same run, same workload, same lean client. Prints one machine-readable
// line per measurement ("BENCH {...}") and the ratios ("RATIO {...}"). Not part of the default test run.
//
//   mvn -B -q -DskipTests package && cd compat && npm ci && node bench/bench.js
//   (BENCH_SUBSCRIBERS=600 BENCH_SECONDS=10 BENCH_WARMUP_SECONDS=60 BENCH_WARMUP_MAX_SECONDS=300 BENCH_REPEAT=3
//    BENCH_CONNECTIONS=2000 BENCH_GENERATORS=2 BENCH_REWARM_SECONDS=2)
const { spawn } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { LeanClient } = require("./lean-client");
const { GeneratorPool, defaultGenerators } = require("./generator");
const { Histogram } = require("./histogram");
const { SeqSet, Deliveries } = require("./deliveries");
const { now } = require("./clock");
const { exitOnSignals, stopChild, killNow, killPidNow } = require("./children");
const { JIT_QUIET_SHARE, processStats, machineJiffies, cpuReading, cpuSpent, liveHeapKb } = require("./proc");
const { freePorts } = require("../test/support/ports");
const { startRedis } = require("../test/support/redis");
const { waitFor } = require("../test/support/node");

const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS || 600);
const SECONDS = Number(process.env.BENCH_SECONDS || 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS || 2000);
const RATES = (process.env.BENCH_RATES || "20000,40000,80000,120000,160000,200000,240000,280000,320000,360000,400000,440000,480000,520000,560000,600000").split(",").map(Number);
// Unmeasured fan-out before the sweep: profiles of short runs (JFR, perf by thread) showed the C2 compiler threads
// using a third of the JVMs' CPU, so 5-s steps measured warm-up rather than steady state. Every target warms up for at
// least BENCH_WARMUP_SECONDS; a JVM target then goes on until its compiler threads used under JIT_QUIET_SHARE of its
// CPU over a whole round, for at most BENCH_WARMUP_MAX_SECONDS (after 60 s they still used 14 % of it at 40,000
// deliveries/s, compiling for the first time code that runs once per connection or per Redis message; after 240 s,
// 2 %). Node's servers keep the minimum: V8 compiles their hot code within seconds, and after 160 to 240 s of
// warm-up they cost no less per delivery than after 60 s, so the reference is measured as it always was.
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS || 60);
const WARMUP_MAX_SECONDS = Math.max(WARMUP_SECONDS, Number(process.env.BENCH_WARMUP_MAX_SECONDS || 300));
const WARMUP_ROUND_SECONDS = 10;
const TARGETS = (process.env.BENCH_TARGETS || "java,node").split(",");
// How the lean clients speak WebSocket: "ws" (the `ws` package, every figure recorded so far) or "raw"
// (bench/raw-websocket.js, less CPU per message: the generator shares the cores with the servers).
const CLIENT = process.env.BENCH_CLIENT || "ws";
if (!["ws", "raw"].includes(CLIENT)) throw new Error(`BENCH_CLIENT must be ws or raw, not ${CLIENT}`);
const CLIENT_OPTIONS = { raw: CLIENT === "raw" };
// Each echo and fan-out measurement is repeated and reported as the median of the runs (loss and duplicates: the
// worst run), the targets taking turns in an order reversed at every repetition (see interleaved).
const REPEAT = Number(process.env.BENCH_REPEAT || 3);
// Before each measured turn, the target runs the same measurement unmeasured for this many seconds (a fan-out turn
// at its rate; an echo turn one echo round, whatever this says, unless it is 0), then settles. Without it a target
// came to its turn after idling through the others' (after their whole warm-up, for the first listed), and two
// copies of one build differed by 7 to 8 % in CPU per delivery by their place in the order alone.
const REWARM_SECONDS = Number(process.env.BENCH_REWARM_SECONDS ?? 2);
// Extra JVM options for the gateway nodes, "%i" replaced by the node number, e.g. for a profile:
// BENCH_JAVA_OPTS="-XX:StartFlightRecording=dumponexit=true,settings=profile,filename=/tmp/node-%i.jfr"
const JAVA_OPTS = (process.env.BENCH_JAVA_OPTS || "").split(" ").filter(Boolean);
// The java launcher of the gateway nodes (another JDK for the node image, e.g. /usr/lib/jvm/temurin-25-jdk-amd64/bin/java,
// with BENCH_JAVA_OPTS="-XX:AOTCache=/tmp/gateway.aot"); the library modules stay on Java 17 whatever runs the node.
const JAVA = process.env.BENCH_JAVA || "java";
const jar = process.env.BENCH_JAR || path.resolve(__dirname, "../../gateway/target/gateway.jar");
// Another build of the gateway, run as the target "baseline" (BENCH_TARGETS=baseline,java): a refactoring or a
// change of the message path is judged against the build before it, in the same command.
const baselineJar = process.env.BENCH_BASELINE_JAR;
// The target "adminui" is this build with the Socket.IO Admin UI on in production mode and one UI connected
// (BENCH_TARGETS=java,adminui): its RATIO line says what the UI costs on the message path.
// "java-streams" is this build on the streams transport (REDIS_ADAPTER=streams), "node-streams" Node's socket.io with
// @socket.io/redis-streams-adapter: BENCH_TARGETS=java,java-streams,node-streams prints the streams transport's
// cost beside the classic one and beside Node's streams adapter, in the same run.
// Variants of this build with JVM options of their own, each compared with "java" and with Node (its RATIO lines
// name it `name` and "java" `javaName`):
// "java-parallelgc": the parallel collector instead of the JVM's default (G1): the collector's share of a delivery
// (G1's write barriers and refinement) beside the other figures (BENCH_TARGETS=java,java-parallelgc).
// "java-c1": the JIT's first compiler only (-XX:TieredStopAtLevel=1, as deploy/local runs its nodes): no C2
// compiling on cores the event loops need, for slower compiled code (BENCH_TARGETS=java,java-c1,node).
// "java-1cpu": each node sized to its share of this machine (three nodes on two cores), as a container CPU limit
// under one core sizes the JVM: one event loop, the serial collector, fewer compiler threads
// (BENCH_TARGETS=java,java-1cpu,node).
const JVM_VARIANTS = {
  "java-parallelgc": { options: ["-XX:+UseParallelGC"], name: "parallelGc", javaName: "g1" },
  "java-c1": { options: ["-XX:TieredStopAtLevel=1"], name: "c1", javaName: "c2" },
  "java-1cpu": { options: ["-XX:ActiveProcessorCount=1"], name: "oneCpu", javaName: "allCpus" },
};
// Every target this command knows; BENCH_TARGETS names some of them, in the order of their turns in the first
// repetition of each measurement (see interleaved).
const KNOWN_TARGETS = ["baseline", "java", "adminui", "node", "java-streams", ...Object.keys(JVM_VARIANTS), "node-streams"];
const isJvm = (kind) => ["java", "baseline", "adminui", "java-streams", ...Object.keys(JVM_VARIANTS)].includes(kind);
const TARGET_JAVA_OPTS = Object.fromEntries(Object.entries(JVM_VARIANTS).map(([kind, variant]) => [kind, variant.options]));
const ADMIN_UI_ENV = { ADMIN_UI: "production", ADMIN_UI_AUTH: "none" };
// The subscribers and the parallel-ack clients are split across this many generator processes; the publisher,
// the sequential echo and the measurements stay in this one.
const GENERATORS = Number(process.env.BENCH_GENERATORS || defaultGenerators());
const CORES = os.availableParallelism ? os.availableParallelism() : os.cpus().length;
// A process of the generator at this share of a core (its one JavaScript thread) is taken as the limit of a step;
// the whole machine at this share of all its cores likewise.
const BOUND = 0.9;
// The publisher sends, every TICK_MS, the messages that have fallen due; after the sending, every process of the
// generator waits at most DRAIN_MS for what is still in flight to it.
const TICK_MS = 5;
const DRAIN_MS = 3000;
let pool;

function percentile(sorted, p) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : null;
}

function median(values) {
  const sorted = values.filter((v) => v != null).sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)] : null;
}

/** The index of the run whose `key` is the median (median's choice of the two middle ones), 0 when none has it. */
function medianRunIndex(runs, key) {
  const ranked = runs.map((run, i) => [run[key], i]).filter(([value]) => value != null).sort((a, b) => a[0] - b[0]);
  return ranked.length ? ranked[Math.floor((ranked.length - 1) / 2)][1] : 0;
}

// Figures merged as the worst run's rather than the median: one run with a lost or doubled message is a finding.
const WORST_RUN = ["loss", "duplicates"];

/**
 * The median of each figure over repeated runs of one measurement; loss and duplicates are the worst run's. Figures
 * with no median (arrays: a value per process) are those of one run, the one whose `mainKey` figure is the median,
 * so that they belong to the run the headline figure comes from (`pick`: that run's index, for nested objects).
 */
function medianOf(runs, mainKey = null, pick = mainKey ? medianRunIndex(runs, mainKey) : 0) {
  const merged = {};
  for (const key of Object.keys(runs[0])) {
    const values = runs.map((run) => run[key]);
    if (WORST_RUN.includes(key)) merged[key] = Math.max(...values);
    else if (typeof values[0] === "boolean") merged[key] = values.some(Boolean);
    else if (typeof values[0] === "number") merged[key] = median(values);
    else if (values[0] && typeof values[0] === "object" && !Array.isArray(values[0])) merged[key] = medianOf(values, null, pick);
    else merged[key] = values[pick];
  }
  return merged;
}

/**
 * REPEAT runs of `measure` on each target, the targets taking turns in an order reversed at every repetition
 * (A B, B A, A B, ...): a change of the machine's background load (another session's build) while they run then
 * falls on every target alike, not on whichever ran its runs last. Each run follows an unmeasured `rewarm` of its
 * target (see REWARM_SECONDS). Resolves to each target's medianOf (by `mainKey`), by target.
 */
async function interleaved(targets, measure, mainKey, rewarm) {
  const runs = new Map(targets.map((target) => [target, []]));
  for (let i = 0; i < REPEAT; i++) {
    const order = i % 2 === 0 ? targets : [...targets].reverse();
    for (const target of order) {
      if (REWARM_SECONDS > 0) {
        await rewarm(target);
        await settled(target);
      }
      runs.get(target).push(await measure(target));
      await settled(target);
    }
  }
  return new Map(targets.map((target) => [target, { ...medianOf(runs.get(target), mainKey), runs: REPEAT }]));
}

// After its turn, a target's servers still close what the generator closed (600 connections' disconnects, Node's
// idle-time GC): the next turn, another target's, starts once they are quiet, under SETTLED_SHARE of a core over
// half a second, or after SETTLE_MAX_MS.
const SETTLED_SHARE = 0.05;
const SETTLE_MAX_MS = 5000;

async function settled({ servers }) {
  const deadline = now() + SETTLE_MAX_MS;
  while (now() < deadline) {
    const before = cpuReading(servers.map((s) => s.pid), {});
    await new Promise((r) => setTimeout(r, 500));
    if (cpuSpent(before, cpuReading(servers.map((s) => s.pid), {})).cpuSeconds < SETTLED_SHARE * 0.5) return;
  }
}

// Everything this command started: the servers (`started`), the generator processes (`pool`) and each target's Redis
// (test/support/redis.js keeps the child: its pid, until its stop() has run). Killed on any exit, Ctrl-C and kill
// included (exitOnSignals), so that a failed or interrupted run leaves nothing behind.
const started = new Set();
const startedRedis = new Set();
process.on("exit", () => {
  started.forEach(killNow);
  pool?.workers.forEach((worker) => killNow(worker.child));
  startedRedis.forEach((redis) => redis.pid && killPidNow(redis.pid));
});
exitOnSignals();

/** A Redis of its own for one target (its pid stays in startedRedis until stop() has run). */
async function startOwnRedis() {
  // The targets are up together: one Redis for all would carry each one's messages to the others' servers.
  if (process.env.REDIS_URL) throw new Error("the bench starts a Redis of its own for each target: unset REDIS_URL");
  const redis = await startRedis();
  startedRedis.add(redis);
  const stop = async () => {
    await redis.stop();
    startedRedis.delete(redis);
  };
  return { url: redis.url, pid: redis.pid, stop };
}

async function startServers(kind, redisUrl) {
  const servers = [];
  for (let i = 1; i <= 3; i++) {
    const [port, managementPort] = await freePorts(2);
    // Each server's log, for a server that does not come up.
    const log = fs.openSync(path.join(os.tmpdir(), `bench-${kind}-${i}.log`), "w");
    const child = isJvm(kind)
      ? spawn(JAVA, ["-Xmx1g", ...(TARGET_JAVA_OPTS[kind] || []), ...JAVA_OPTS.map((o) => o.replaceAll("%i", String(i))), "-jar", kind === "baseline" ? baselineJar : jar], { stdio: ["pipe", log, "inherit"], env: { ...process.env,
        SOCKETIO_HOST: "127.0.0.1", SOCKETIO_PORT: String(port), MANAGEMENT_PORT: String(managementPort), REDIS_URL: redisUrl,
        NODE_ID: `java-${i}`, EVENT_RATE: "0", MAX_CONNECTIONS: "0", LOG_LEVEL: "WARN", DASHBOARD_INTERVAL: "600000",
        ...(kind === "adminui" ? ADMIN_UI_ENV : {}), ...(kind === "java-streams" ? { REDIS_ADAPTER: "streams" } : {}) } })
      // --expose-gc: a full GC before the idle-connection baseline, as the JVM gets one (see connections).
      : spawn("node", ["--expose-gc", path.join(__dirname, "node-server.js"), String(port), redisUrl, kind === "node-streams" ? "streams" : "classic"],
        { stdio: ["pipe", log, "inherit"] });
    fs.closeSync(log);
    // A server that died has closed its stdin: writing to it or ending it must not end this process (EPIPE).
    child.stdin.on("error", () => {});
    started.add(child);
    servers.push({ port, url: `http://127.0.0.1:${port}`, pid: child.pid, child, jvm: isJvm(kind) });
  }
  for (const server of servers) {
    await waitFor(async () => {
      try {
        return (await fetch(`${server.url}/socket.io/?EIO=4&transport=polling`)).ok;
      } catch {
        return false;
      }
    }, 60000, `${kind} server on ${server.port}`);
  }
  return servers;
}

/** Stops the servers (stdin closed, SIGTERM, SIGKILL after stopChild's grace) and resolves once all have ended. */
async function stopServers(servers) {
  for (const server of servers) server.child.stdin.end();
  await Promise.all(servers.map((server) => stopChild(server.child)));
}

async function connectAll(servers, count, namespace, room) {
  const clients = [];
  for (let i = 0; i < count; i += 50) {
    const batch = [];
    for (let j = i; j < Math.min(count, i + 50); j++) {
      batch.push(new LeanClient(servers[j % servers.length].url, namespace, CLIENT_OPTIONS).connected);
    }
    clients.push(...(await Promise.all(batch)));
  }
  if (room) await Promise.all(clients.map((client) => client.emitWithAck("joinRoom", room)));
  return clients;
}

// Parallel acks: 50 clients over the three nodes, each this many in sequence (50,000 acks: seconds, not a blip).
const ACKS_PER_CLIENT = 1000;

async function echo(servers) {
  const client = await new LeanClient(servers[0].url, "/", CLIENT_OPTIONS).connected;
  const rtts = [];
  for (let i = 0; i < 2000; i++) {
    const started = now();
    await client.emitWithAck("events", { i });
    rtts.push(now() - started);
  }
  rtts.sort((a, b) => a - b);
  client.close();
  // The 50 parallel clients are split across the generator processes; the rate is over the span from the first
  // start to the last end (one clock for all processes).
  const urls = Array.from({ length: 50 }, (_, i) => servers[i % servers.length].url);
  const shares = pool.split(urls);
  await pool.all("connect", (w) => ({ urls: shares[w], namespace: "/", ...CLIENT_OPTIONS }));
  const before = serversCpu(servers);
  const machineBefore = machineJiffies();
  const runs = await pool.all("acks", () => ({ perClient: ACKS_PER_CLIENT }));
  const machineAfter = machineJiffies();
  const spent = cpuSpent(before, serversCpu(servers));
  await pool.all("close");
  const span = Math.max(...runs.map((r) => r.ended)) - Math.min(...runs.map((r) => r.started));
  const acks = runs.reduce((total, r) => total + r.acks, 0);
  const perAck = (seconds) => Number(((seconds * 1e6) / acks).toFixed(2));
  return { rttP50Ms: percentile(rtts, 0.5), rttP99Ms: percentile(rtts, 0.99), parallelAcksPerSecond: Math.round(acks / (span / 1000)),
    ackGeneratorCpuShares: runs.map((r) => Number((r.cpuSeconds / ((r.ended - r.started) / 1000)).toFixed(2))),
    // What the parallel acks cost the servers, and how busy the machine was: a busy machine bounds the rate, an idle
    // one says the clients waited on something else (wake-ups, batching).
    serverCpuMicrosPerAck: perAck(spent.cpuSeconds), serverUserCpuMicrosPerAck: perAck(spent.userSeconds),
    serverCpuMicrosPerAckByThread: byRole(spent.byThread, perAck),
    ackMachineCpuShare: Number(((machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total)).toFixed(2)) };
}

/** The servers' CPU so far (by thread role when they are JVMs), and Redis's when its pid is given. */
function serversCpu(servers, redisPid = null) {
  return cpuReading(servers.map((s) => s.pid), { jvm: servers.every((s) => s.jvm), redisPid });
}

/** Seconds by thread role turned into a per-unit figure (per delivery, per ack); undefined for non-JVM servers. */
function byRole(secondsByRole, per) {
  return secondsByRole ? Object.fromEntries(Object.entries(secondsByRole).map(([role, seconds]) => [role, per(seconds)])) : undefined;
}

/**
 * The send time written into a message: when it fell due rather than when it went out, so that a publisher that
 * fell behind (its event loop stalled: a GC, a busy core) shows as latency, as an open-loop load would see it, on
 * every target alike. Up to one tick after its due time counts as on time (the time it went out): the timer sends
 * only every TICK_MS, and charging that wait to every sample would add up to 5 ms to latencies of a fraction of one.
 */
function sendStamp(dueAt, sentAt) {
  return Math.min(sentAt, dueAt + TICK_MS);
}

/** Resolves once `condition()` holds or after `ms`, whichever comes first (checked every 10 ms). */
async function until(condition, ms) {
  const deadline = now() + ms;
  while (!condition() && now() < deadline) await new Promise((r) => setTimeout(r, 10));
}

async function fanout({ servers, redis }, deliveriesPerSecond, seconds = SECONDS) {
  const urls = Array.from({ length: SUBSCRIBERS }, (_, i) => servers[i % servers.length].url);
  const shares = pool.split(urls);
  await pool.all("connect", (w) => ({ urls: shares[w], namespace: "/chat", room: "bench", ...CLIENT_OPTIONS }));
  const publisher = await new LeanClient(servers[0].url, "/chat", CLIENT_OPTIONS).connected;
  await publisher.emitWithAck("joinRoom", "bench");
  // The publisher hears its own broadcasts too; its share is recorded here and merged with the workers'.
  const own = new Deliveries();
  const ownSeen = new SeqSet();
  publisher.on("chatToClient", (m) => own.record(ownSeen, m.message));
  const recipients = SUBSCRIBERS + 1;
  const messagesPerSecond = deliveriesPerSecond / recipients;
  await pool.all("start");
  const before = serversCpu(servers, redis.pid);
  const machineBefore = machineJiffies();
  const generatorBefore = process.cpuUsage();
  const started = now();
  let sent = 0;
  await new Promise((resolve) => {
    const tick = setInterval(() => {
      const due = Math.floor(((now() - started) / 1000) * messagesPerSecond);
      while (sent < due) {
        // Message `sent` (from 0) fell due once the step had run (sent + 1) / messagesPerSecond seconds (see `due`).
        const dueAt = started + ((sent + 1) / messagesPerSecond) * 1000;
        publisher.emit("chatToRoom", { room: "bench", message: JSON.stringify({ t: sendStamp(dueAt, now()), s: sent, pad: "x".repeat(60) }) });
        sent++;
      }
      if (now() - started >= seconds * 1000) {
        clearInterval(tick);
        resolve();
      }
    }, TICK_MS);
  });
  const elapsed = (now() - started) / 1000;
  // Every process waits (at most DRAIN_MS) for what is still in flight to it, the workers for their subscribers'
  // copies and this one for the publisher's own, so that the CPU below is that of every delivery counted.
  const [stops] = await Promise.all([pool.all("stop", () => ({ sent, waitMs: DRAIN_MS })), until(() => own.delivered >= sent, DRAIN_MS)]);
  const after = serversCpu(servers, redis.pid);
  const spent = cpuSpent(before, after);
  const machineAfter = machineJiffies();
  const parentCpu = process.cpuUsage(generatorBefore);
  // The seconds the CPU readings above cover: the sending and the drain after it (not the sending alone).
  const measured = (now() - started) / 1000;
  const histogram = new Histogram().merge(own.histogram);
  for (const stop of stops) histogram.merge(stop.histogram);
  const delivered = own.delivered + stops.reduce((total, stop) => total + stop.delivered, 0);
  const duplicates = own.duplicates + stops.reduce((total, stop) => total + stop.duplicates, 0);
  // The generator's CPU while the step ran: the parent (publisher) and each worker (subscribers), per process,
  // since each is one JavaScript thread and any of them near a full core sets the pace; each over the time its own
  // CPU reading covers.
  const generatorCpuShares = [(parentCpu.user + parentCpu.system) / 1e6 / measured,
    ...stops.map((s) => (s.cpuUserSeconds + s.cpuSystemSeconds) / s.seconds)].map((share) => Number(share.toFixed(2)));
  const generatorBound = generatorCpuShares.some((share) => share >= BOUND);
  if (generatorBound) console.error(`bench: a load generator process used ${Math.max(...generatorCpuShares)} of a core at ${deliveriesPerSecond}/s; it is the limit`);
  const serverCpu = spent.cpuSeconds;
  const serverUserCpu = spent.userSeconds;
  await pool.all("close");
  publisher.close();
  // Deliveries are first copies only (deliveries.js), so duplicates never offset a loss.
  const expected = sent * recipients;
  const perDelivery = (cpu) => (delivered ? Number(((cpu * 1e6) / delivered).toFixed(2)) : null);
  const machineCpuShare = Number(((machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total)).toFixed(2));
  return {
    targetDeliveriesPerSecond: deliveriesPerSecond, sent, recipients, delivered, loss: expected - delivered, duplicates,
    deliveriesPerSecond: Math.round(delivered / elapsed),
    latencyMs: { p50: histogram.percentile(0.5), p90: histogram.percentile(0.9), p99: histogram.percentile(0.99), max: histogram.max() },
    serverCpuSeconds: Number(serverCpu.toFixed(2)), serverUserCpuSeconds: Number(serverUserCpu.toFixed(2)),
    cpuMicrosPerDelivery: perDelivery(serverCpu), userCpuMicrosPerDelivery: perDelivery(serverUserCpu),
    // A JVM's CPU per delivery by thread role: event loops, Redis, JIT compilers, GC, other.
    cpuMicrosPerDeliveryByThread: byRole(spent.byThread, perDelivery),
    // Redis's CPU per message published (one PUBLISH, delivered to each server's subscription).
    redisCpuMicrosPerMessage: spent.redisSeconds != null && sent ? Number(((spent.redisSeconds * 1e6) / sent).toFixed(1)) : null,
    serverRssMb: after.processes.map((s) => Math.round(s.rssKb / 1024)),
    // Shares of the whole machine (all cores): the servers', the generator's (all its processes) and everything's.
    serverMachineShare: Number((serverCpu / measured / CORES).toFixed(2)),
    generatorMachineShare: Number((generatorCpuShares.reduce((a, b) => a + b, 0) / CORES).toFixed(2)),
    generatorCpuShares, generatorBound, machineCpuShare, machineBound: machineCpuShare >= BOUND,
  };
}

/**
 * A full GC in one server before a memory reading: a JVM's by jcmd (resolves to its live heap in KB, liveHeapKb),
 * Node's by global.gc (node-server.js runs it when it reads "gc" on stdin; resolves to null).
 */
async function fullGc(server) {
  if (server.jvm) return liveHeapKb(server.pid);
  server.child.stdin.write("gc\n");
  await new Promise((r) => setTimeout(r, 1000));
  return null;
}

async function connections(kind, servers) {
  const pid = servers[0].pid;
  // The RSS baseline follows a full GC on both sides, so that the deltas below are what the connections hold and
  // neither side's baseline still holds the fan-out's garbage. (Not the RSS first and a GC after it: the JVM's GC
  // shrinks its heap, and its RSS would drop between the two readings.)
  const heapBefore = await fullGc(servers[0]);
  const before = processStats(pid).rssKb;
  // The connects alone are timed (handshake and namespace connect, 50 at a time); the room joins follow, untimed.
  const started = now();
  const clients = await connectAll([servers[0]], CONNECTIONS, "/chat");
  const seconds = (now() - started) / 1000;
  await Promise.all(clients.map((client) => client.emitWithAck("joinRoom", "idle")));
  await new Promise((r) => setTimeout(r, 2000));
  const after = processStats(pid).rssKb;
  // RSS right after connecting includes the garbage of the connect storm; after a full GC, what stays.
  const heapAfter = isJvm(kind) ? liveHeapKb(pid) : null;
  const afterGc = isJvm(kind) ? processStats(pid).rssKb : null;
  clients.forEach((c) => c.close());
  const perConnection = (a, b) => (a == null ? null : Number(((a - b) / CONNECTIONS).toFixed(1)));
  return { connections: CONNECTIONS, connectsPerSecond: Math.round(CONNECTIONS / seconds),
    rssKbPerConnection: perConnection(after, before), rssAfterGcKbPerConnection: perConnection(afterGc, before),
    heapKbPerConnection: perConnection(heapAfter, heapBefore) };
}

/**
 * Resolves once a socket.io-client socket is connected; rejects on its connect_error (a refused namespace, a server
 * not answering the handshake) or after `ms`, so that a run that cannot connect says so instead of waiting forever.
 */
function socketConnected(socket, what, ms = 10000) {
  if (socket.connected) return Promise.resolve(socket);
  return new Promise((resolve, reject) => {
    const done = (error) => {
      clearTimeout(timer);
      socket.off("connect", onConnect);
      socket.off("connect_error", onError);
      if (error) reject(error);
      else resolve(socket);
    };
    const onConnect = () => done();
    const onError = (error) => done(new Error(`${what}: connect_error: ${error.message}`));
    const timer = setTimeout(() => done(new Error(`${what}: not connected within ${ms} ms`)), ms);
    socket.on("connect", onConnect);
    socket.on("connect_error", onError);
  });
}

/** The lean client checked once against the official socket.io-client: each hears the other, bytes intact. */
async function verifyLeanClient(servers) {
  const { io } = require("socket.io-client");
  const official = io(`${servers[1].url}/chat`, { transports: ["websocket"], forceNew: true, reconnection: false });
  let lean = null;
  try {
    await socketConnected(official, `official socket.io-client to ${servers[1].url}/chat`);
    await official.timeout(5000).emitWithAck("joinRoom", "check");
    lean = await new LeanClient(servers[0].url, "/chat", CLIENT_OPTIONS).connected;
    await lean.emitWithAck("joinRoom", "check");
    const text = "é ✓ \" {json} " + "x".repeat(100);
    const heardByOfficial = new Promise((resolve) => official.on("chatToClient", (m) => m.message === text && resolve(m)));
    const heardByLean = new Promise((resolve) => lean.on("chatToClient", (m) => m.message === "from official" && resolve(m)));
    lean.emit("chatToRoom", { room: "check", message: text });
    official.emit("chatToRoom", { room: "check", message: "from official" });
    let timer;
    const timeout = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error("lean client check failed")), 5000)));
    await Promise.race([Promise.all([heardByOfficial, heardByLean]), timeout]).finally(() => clearTimeout(timer));
  } finally {
    official.disconnect();
    lean?.close();
  }
}

/**
 * Rounds of echo, parallel acks and WARMUP_ROUND_SECONDS of fan-out (see setUp) for WARMUP_SECONDS, and for a JVM
 * target then until a round's compiler threads used under JIT_QUIET_SHARE of the servers' CPU (at most
 * WARMUP_MAX_SECONDS). Returns how long it took and the last round's compiler share (null for other targets).
 */
async function warmUpServers(target) {
  const { servers } = target;
  const started = Date.now();
  const jvm = servers.every((s) => s.jvm);
  const elapsed = () => (Date.now() - started) / 1000;
  let step = 0;
  let jitShare = null;
  let rounds = 0;
  while (elapsed() < WARMUP_SECONDS || (jvm && jitShare >= JIT_QUIET_SHARE && elapsed() < WARMUP_MAX_SECONDS)) {
    const before = serversCpu(servers);
    await echo(servers);
    const left = (elapsed() >= WARMUP_SECONDS ? WARMUP_MAX_SECONDS : WARMUP_SECONDS) - elapsed();
    const point = await fanout(target, RATES[step], Math.max(1, Math.min(WARMUP_ROUND_SECONDS, left)));
    step = pastKnee(point) ? 0 : (step + 1) % RATES.length;
    const spent = cpuSpent(before, serversCpu(servers));
    jitShare = spent.byThread && spent.cpuSeconds > 0 ? spent.byThread.jit / spent.cpuSeconds : null;
    rounds++;
  }
  return { seconds: Math.round(elapsed()), rounds, lastRoundJitShare: jitShare == null ? null : Number(jitShare.toFixed(3)) };
}

/** A fan-out step past the knee: a delivery lost, or p99 over 1 s. */
const pastKnee = (point) => point.loss > 0 || point.latencyMs.p99 > 1000;

/**
 * Starts one target (its own Redis and three servers), checks the lean client on it and warms it up. It stays up,
 * idle while the others take their turns, until every measurement is done: the repetitions of a measurement alternate
 * between the targets (interleaved), and a target started anew for each would need its warm-up again.
 */
async function setUp(kind) {
  const redis = await startOwnRedis();
  const servers = await startServers(kind, redis.url);
  // One Admin UI connected for the whole run, as an operator's open browser tab would be: confirmed connected, so
  // that the adminui target's figures are those of a node with a UI attached.
  const adminUi = kind === "adminui" ? require("socket.io-client").io(`${servers[0].url}/admin`, { forceNew: true }) : null;
  const target = { kind, redis, servers, adminUi, results: { sweep: [] } };
  try {
    if (adminUi) await socketConnected(adminUi, `Admin UI client to ${servers[0].url}/admin`);
    await verifyLeanClient(servers);
  } catch (error) {
    await tearDown(target);
    throw error;
  }
  // Unmeasured warm-up of every path measured below, so that both targets are measured in steady state
  // (BENCH_WARMUP_SECONDS=0: none, to see the warm-up itself in the first steps). The paths take turns (echo and
  // parallel acks, then WARMUP_ROUND_SECONDS of fan-out, again and again) rather than one long run each: the JIT
  // compiles for the traffic it has seen, and after 20 s of echo then a minute of fan-out the measured acks spent
  // 40 of their 68 us per ack in the compiler threads, recompiling what the fan-out's profile had reshaped.
  // The fan-out rounds climb the sweep's rates as the measurement does (back to the first rate after one with loss
  // or p99 over 1 s): each rate has code paths of its own (at 80,000/s the event loops fall behind and flush several
  // frames at once), and a warm-up at the first rate only left C2 recompiling the fan-out, after deoptimizations
  // on those paths, for 2.2 of the 8.5 us per delivery at the first step above it.
  target.results.warmUp = await warmUpServers(target);
  console.log("BENCH " + JSON.stringify({ target: kind, scenario: "warmUp", client: CLIENT, rewarmSeconds: REWARM_SECONDS, ...target.results.warmUp }));
  // Its last round's disconnects must not fall into the next target's warm-up or the first measured turn.
  await settled(target);
  return target;
}

async function tearDown({ servers, redis, adminUi }) {
  adminUi?.disconnect();
  await stopServers(servers);
  await redis.stop();
}

/**
 * Every measurement, the targets taking turns (interleaved): echo, the fan-out sweep (a target leaves it after its
 * first rate past the knee; the others go on), then the idle connections, once per target (not repeated).
 */
async function measureAll(targets) {
  const echoes = await interleaved(targets, (target) => echo(target.servers), "parallelAcksPerSecond", (target) => echo(target.servers));
  for (const target of targets) {
    target.results.echo = echoes.get(target);
    console.log("BENCH " + JSON.stringify({ target: target.kind, scenario: "echo", ...target.results.echo }));
  }
  let sweeping = targets;
  for (const rate of RATES) {
    if (sweeping.length === 0) break;
    const points = await interleaved(sweeping, (target) => fanout(target, rate), "cpuMicrosPerDelivery",
      (target) => fanout(target, rate, REWARM_SECONDS));
    for (const target of sweeping) {
      target.results.sweep.push(points.get(target));
      console.log("BENCH " + JSON.stringify({ target: target.kind, scenario: "fanout", ...points.get(target) }));
    }
    sweeping = sweeping.filter((target) => !pastKnee(points.get(target)));
  }
  for (const target of targets) {
    target.results.connections = await connections(target.kind, target.servers);
    console.log("BENCH " + JSON.stringify({ target: target.kind, scenario: "connections", ...target.results.connections }));
  }
}

/** The knee, what ended the sweep and the point at 20,000/s, from a target's sweep. */
function summarize(results) {
  const passing = results.sweep.filter((p) => !pastKnee(p));
  results.knee = passing.length ? passing[passing.length - 1] : null;
  // What ended the sweep: the first failing step, and who was at the end of their CPU there: a generator process
  // (one JavaScript thread near a full core), else the whole machine (all cores busy: on a small machine the
  // servers and the generator compete for them), else the servers themselves.
  const failed = results.sweep.find((p) => !passing.includes(p));
  results.sweepEnd = failed
    ? { failedAt: failed.targetDeliveriesPerSecond, limitedBy: failed.generatorBound ? "generator" : failed.machineBound ? "machine" : "servers",
      machineCpuShare: failed.machineCpuShare, serverMachineShare: failed.serverMachineShare, generatorCpuShares: failed.generatorCpuShares }
    : { failedAt: null, lastRate: RATES[RATES.length - 1] };
  results.at20k = results.sweep.find((p) => p.targetDeliveriesPerSecond === 20000) || null;
  return results;
}

/**
 * Sets every target up (in BENCH_TARGETS' order), measures them all and stops them; resolves to each one's results
 * by kind.
 * One generator pool serves every target.
 */
async function runAll(kinds) {
  pool = new GeneratorPool(GENERATORS);
  const targets = [];
  try {
    for (const kind of kinds) targets.push(await setUp(kind));
    await measureAll(targets);
    return Object.fromEntries(targets.map((target) => [target.kind, summarize(target.results)]));
  } finally {
    for (const target of targets) await tearDown(target);
    await pool.close();
  }
}

function pointsAt(java, other, names, rate, figure, ratio) {
  const at = (results) => results.sweep.find((p) => p.targetDeliveriesPerSecond === rate);
  const j = at(java) ? figure(at(java)) : null;
  const o = at(other) ? figure(at(other)) : null;
  return { [names.self]: j, [names.other]: o, ratio: ratio(j, o) };
}

async function main() {
  if (!fs.existsSync(jar)) throw new Error(`${jar} is missing: mvn -B -q -DskipTests package`);
  if (TARGETS.includes("baseline") && !(baselineJar && fs.existsSync(baselineJar))) {
    throw new Error("the target baseline needs BENCH_BASELINE_JAR, the path of another gateway.jar");
  }
  const results = await runAll([...new Set(TARGETS)].filter((kind) => KNOWN_TARGETS.includes(kind)));
  const { baseline, java, adminui, node, "java-streams": javaStreams, "node-streams": nodeStreams } = results;
  const variants = Object.keys(JVM_VARIANTS).filter((kind) => results[kind]).map((kind) => ({ ...JVM_VARIANTS[kind], result: results[kind] }));
  if (java && baseline) printRatios(java, baseline, "baseline");
  if (javaStreams && java) printRatios(javaStreams, java, "classic", "streams");
  if (javaStreams && nodeStreams) printRatios(javaStreams, nodeStreams, "nodeStreams", "streams");
  if (adminui && java) printRatios(adminui, java, "adminUiOff", "adminUiOn");
  if (java && node) printRatios(java, node, "node");
  for (const variant of variants) {
    if (java) printRatios(variant.result, java, variant.javaName, variant.name);
    if (node) printRatios(variant.result, node, "node", variant.name);
  }
  process.exit(0);
}

/** Ratios of the gateway's figures to another target's ("node" or "baseline"), at the knee and at equal rates. */
function printRatios(java, other, otherName, selfName = "java") {
  const names = { self: selfName, other: otherName };
  const ratio = (a, b) => (a != null && b ? Number((a / b).toFixed(2)) : null);
  const pair = (j, o) => ({ [selfName]: j, [otherName]: o, ratio: ratio(j, o) });
  const perCore = (micros) => (micros ? Math.round(1e6 / micros) : null);
  const byRate = (figure) => Object.fromEntries(RATES.map((rate) => [rate, pointsAt(java, other, names, rate, figure, ratio)]));
  console.log("RATIO " + JSON.stringify({
    against: otherName,
    kneeDeliveriesPerSecond: pair(java.knee?.deliveriesPerSecond, other.knee?.deliveriesPerSecond),
    cpuMicrosPerDeliveryAtKnee: pair(java.knee?.cpuMicrosPerDelivery, other.knee?.cpuMicrosPerDelivery),
    userCpuMicrosPerDeliveryAtKnee: pair(java.knee?.userCpuMicrosPerDelivery, other.knee?.userCpuMicrosPerDelivery),
    // The share of the machine each side's servers, and everything together, used at its own knee.
    serverMachineShareAtKnee: pair(java.knee?.serverMachineShare, other.knee?.serverMachineShare),
    machineCpuShareAtKnee: pair(java.knee?.machineCpuShare, other.knee?.machineCpuShare),
    p99MsAt20k: pair(java.at20k?.latencyMs.p99, other.at20k?.latencyMs.p99),
    rssKbPerIdleConnection: pair(java.connections.rssKbPerConnection, other.connections.rssKbPerConnection),
    javaHeapKbPerIdleConnection: java.connections.heapKbPerConnection,
    echoP50Ms: pair(java.echo.rttP50Ms, other.echo.rttP50Ms),
    parallelAcksPerSecond: pair(java.echo.parallelAcksPerSecond, other.echo.parallelAcksPerSecond),
    // The servers' own capacity for acks: what one core of theirs answers per second (a million over their CPU us per
    // ack). On a small machine the generator shares the cores, so acks per second is bound by both sides' costs
    // together, and the servers' ratio shows only in this figure.
    serverCpuMicrosPerAck: pair(java.echo.serverCpuMicrosPerAck, other.echo.serverCpuMicrosPerAck),
    acksPerServerCoreSecond: pair(perCore(java.echo.serverCpuMicrosPerAck), perCore(other.echo.serverCpuMicrosPerAck)),
    cpuMicrosPerDeliveryByRate: byRate((p) => p.cpuMicrosPerDelivery),
    userCpuMicrosPerDeliveryByRate: byRate((p) => p.userCpuMicrosPerDelivery),
    p99MsByRate: byRate((p) => p.latencyMs.p99),
    sweepEnd: { [selfName]: java.sweepEnd, [otherName]: other.sweepEnd },
  }));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
