"use strict";
// Benchmark: the gateway cluster against a reference cluster of Node.js socket.io 4 servers with
// @socket.io/redis-adapter, same machine, same run, same workload, same lean client. Prints one machine-readable
// line per measurement ("BENCH {...}") and the ratios ("RATIO {...}"). Not part of the default test run.
//
//   mvn -B -q -DskipTests package && cd compat && npm ci && node bench/bench.js
//   (BENCH_SUBSCRIBERS=600 BENCH_SECONDS=10 BENCH_WARMUP_SECONDS=60 BENCH_WARMUP_MAX_SECONDS=300 BENCH_REPEAT=3
//    BENCH_CONNECTIONS=2000 BENCH_GENERATORS=2)
const { execFileSync, spawn } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { LeanClient } = require("./lean-client");
const { GeneratorPool, defaultGenerators } = require("./generator");
const { Histogram } = require("./histogram");
const { now } = require("./clock");
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
// Each echo and fan-out measurement is repeated and reported as the median of the runs (loss: the worst run).
const REPEAT = Number(process.env.BENCH_REPEAT || 3);
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
let pool;
// The Redis of the target being measured: its CPU per published message is reported beside the servers'.
let redisOfRun;

function percentile(sorted, p) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : null;
}

function median(values) {
  const sorted = values.filter((v) => v != null).sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)] : null;
}

/** The median of each figure over repeated runs of one measurement; loss is the worst run's. */
function medianOf(runs) {
  const merged = {};
  for (const key of Object.keys(runs[0])) {
    const values = runs.map((run) => run[key]);
    if (key === "loss") merged[key] = Math.max(...values);
    else if (typeof values[0] === "boolean") merged[key] = values.some(Boolean);
    else if (typeof values[0] === "number") merged[key] = median(values);
    else if (values[0] && typeof values[0] === "object" && !Array.isArray(values[0])) merged[key] = medianOf(values);
    else merged[key] = values[0];
  }
  return merged;
}

async function repeated(measure) {
  const runs = [];
  for (let i = 0; i < REPEAT; i++) runs.push(await measure());
  return { ...medianOf(runs), runs: runs.length };
}

// Everything this command started, stopped on any exit (a failed run must not leave servers behind).
const started = new Set();
process.on("exit", () => started.forEach((child) => child.exitCode === null && child.kill("SIGKILL")));

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
      : spawn("node", [path.join(__dirname, "node-server.js"), String(port), redisUrl, kind === "node-streams" ? "streams" : "classic"],
        { stdio: ["pipe", log, "inherit"] });
    fs.closeSync(log);
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

async function stopServers(servers) {
  for (const server of servers) {
    server.child.stdin.end();
    server.child.kill("SIGTERM");
  }
  await Promise.all(servers.map((s) => new Promise((resolve) => (s.child.exitCode !== null ? resolve() : s.child.on("exit", resolve)))));
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

async function fanout(servers, deliveriesPerSecond, seconds = SECONDS) {
  const urls = Array.from({ length: SUBSCRIBERS }, (_, i) => servers[i % servers.length].url);
  const shares = pool.split(urls);
  await pool.all("connect", (w) => ({ urls: shares[w], namespace: "/chat", room: "bench", ...CLIENT_OPTIONS }));
  const publisher = await new LeanClient(servers[0].url, "/chat", CLIENT_OPTIONS).connected;
  await publisher.emitWithAck("joinRoom", "bench");
  // The publisher hears its own broadcasts too; its share is recorded here and merged with the workers'.
  const own = new Histogram();
  let ownDelivered = 0;
  publisher.on("chatToClient", (m) => {
    ownDelivered++;
    own.record(now() - JSON.parse(m.message).t);
  });
  const recipients = SUBSCRIBERS + 1;
  const messagesPerSecond = deliveriesPerSecond / recipients;
  await pool.all("start");
  const before = serversCpu(servers, redisOfRun?.pid);
  const machineBefore = machineJiffies();
  const generatorBefore = process.cpuUsage();
  const started = now();
  let sent = 0;
  await new Promise((resolve) => {
    const tick = setInterval(() => {
      const due = Math.floor(((now() - started) / 1000) * messagesPerSecond);
      while (sent < due) {
        publisher.emit("chatToRoom", { room: "bench", message: JSON.stringify({ t: now(), pad: "x".repeat(60) }) });
        sent++;
      }
      if (now() - started >= seconds * 1000) {
        clearInterval(tick);
        resolve();
      }
    }, 5);
  });
  const elapsed = (now() - started) / 1000;
  // Each worker waits (at most 3 s) for what is still in flight, so the CPU below is that of every delivery counted.
  const stops = await pool.all("stop", () => ({ sent, waitMs: 3000 }));
  const after = serversCpu(servers, redisOfRun?.pid);
  const spent = cpuSpent(before, after);
  const machineAfter = machineJiffies();
  const parentCpu = process.cpuUsage(generatorBefore);
  const histogram = new Histogram().merge(own);
  for (const stop of stops) histogram.merge(stop.histogram);
  const delivered = ownDelivered + stops.reduce((total, stop) => total + stop.delivered, 0);
  // The generator's CPU while the step ran: the parent (publisher) and each worker (subscribers), per process,
  // since each is one JavaScript thread and any of them near a full core sets the pace.
  const generatorCpuShares = [(parentCpu.user + parentCpu.system) / 1e6, ...stops.map((s) => s.cpuUserSeconds + s.cpuSystemSeconds)]
    .map((seconds) => Number((seconds / elapsed).toFixed(2)));
  const generatorBound = generatorCpuShares.some((share) => share >= BOUND);
  if (generatorBound) console.error(`bench: a load generator process used ${Math.max(...generatorCpuShares)} of a core at ${deliveriesPerSecond}/s; it is the limit`);
  const serverCpu = spent.cpuSeconds;
  const serverUserCpu = spent.userSeconds;
  await pool.all("close");
  publisher.close();
  const expected = sent * recipients;
  const perDelivery = (cpu) => (delivered ? Number(((cpu * 1e6) / delivered).toFixed(2)) : null);
  const machineCpuShare = Number(((machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total)).toFixed(2));
  return {
    targetDeliveriesPerSecond: deliveriesPerSecond, sent, recipients, delivered, loss: expected - delivered,
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
    serverMachineShare: Number((serverCpu / elapsed / CORES).toFixed(2)),
    generatorMachineShare: Number((generatorCpuShares.reduce((a, b) => a + b, 0) / CORES).toFixed(2)),
    generatorCpuShares, generatorBound, machineCpuShare, machineBound: machineCpuShare >= BOUND,
  };
}

async function connections(kind, servers) {
  const pid = servers[0].pid;
  // For the JVM the baseline follows a full GC, so that the deltas below are what the connections hold.
  const heapBefore = isJvm(kind) ? liveHeapKb(pid) : null;
  const before = processStats(pid).rssKb;
  const started = now();
  const clients = await connectAll([servers[0]], CONNECTIONS, "/chat", "idle");
  const seconds = (now() - started) / 1000;
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

/** The lean client checked once against the official socket.io-client: each hears the other, bytes intact. */
async function verifyLeanClient(servers) {
  const { io } = require("socket.io-client");
  const official = io(`${servers[1].url}/chat`, { transports: ["websocket"], forceNew: true, reconnection: false });
  await new Promise((resolve) => official.on("connect", resolve));
  await official.timeout(5000).emitWithAck("joinRoom", "check");
  const lean = await new LeanClient(servers[0].url, "/chat", CLIENT_OPTIONS).connected;
  await lean.emitWithAck("joinRoom", "check");
  const text = "é ✓ \" {json} " + "x".repeat(100);
  const heardByOfficial = new Promise((resolve) => official.on("chatToClient", (m) => m.message === text && resolve(m)));
  const heardByLean = new Promise((resolve) => lean.on("chatToClient", (m) => m.message === "from official" && resolve(m)));
  lean.emit("chatToRoom", { room: "check", message: text });
  official.emit("chatToRoom", { room: "check", message: "from official" });
  const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error("lean client check failed")), 5000));
  await Promise.race([Promise.all([heardByOfficial, heardByLean]), timeout]);
  official.disconnect();
  lean.close();
}

async function run(kind) {
  pool = new GeneratorPool(GENERATORS);
  const redis = await startRedis();
  redisOfRun = redis;
  try {
    return await measure(kind, redis);
  } finally {
    await redis.stop();
    await pool.close();
  }
}

/**
 * Rounds of echo, parallel acks and WARMUP_ROUND_SECONDS of fan-out (see measure) for WARMUP_SECONDS, and for a JVM
 * target then until a round's compiler threads used under JIT_QUIET_SHARE of the servers' CPU (at most
 * WARMUP_MAX_SECONDS). Returns how long it took and the last round's compiler share (null for other targets).
 */
async function warmUpServers(servers) {
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
    const point = await fanout(servers, RATES[step], Math.max(1, Math.min(WARMUP_ROUND_SECONDS, left)));
    step = pastKnee(point) ? 0 : (step + 1) % RATES.length;
    const spent = cpuSpent(before, serversCpu(servers));
    jitShare = spent.byThread && spent.cpuSeconds > 0 ? spent.byThread.jit / spent.cpuSeconds : null;
    rounds++;
  }
  return { seconds: Math.round(elapsed()), rounds, lastRoundJitShare: jitShare == null ? null : Number(jitShare.toFixed(3)) };
}

/** A fan-out step past the knee: a delivery lost, or p99 over 1 s. */
const pastKnee = (point) => point.loss > 0 || point.latencyMs.p99 > 1000;

async function measure(kind, redis) {
  const servers = await startServers(kind, redis.url);
  // One Admin UI connected for the whole run, as an operator's open browser tab would be.
  const adminUi = kind === "adminui" ? require("socket.io-client").io(`${servers[0].url}/admin`, { forceNew: true }) : null;
  await verifyLeanClient(servers);
  // Unmeasured warm-up of every path measured below, so that both targets are measured in steady state
  // (BENCH_WARMUP_SECONDS=0: none, to see the warm-up itself in the first steps). The paths take turns (echo and
  // parallel acks, then WARMUP_ROUND_SECONDS of fan-out, again and again) rather than one long run each: the JIT
  // compiles for the traffic it has seen, and after 20 s of echo then a minute of fan-out the measured acks spent
  // 40 of their 68 us per ack in the compiler threads, recompiling what the fan-out's profile had reshaped.
  // The fan-out rounds climb the sweep's rates as the measurement does (back to the first rate after one with loss
  // or p99 over 1 s): each rate has code paths of its own (at 80,000/s the event loops fall behind and flush several
  // frames at once), and a warm-up at the first rate only left C2 recompiling the fan-out, after deoptimizations
  // on those paths, for 2.2 of the 8.5 us per delivery at the first step above it.
  const warmUp = await warmUpServers(servers);
  console.log("BENCH " + JSON.stringify({ target: kind, scenario: "warmUp", client: CLIENT, ...warmUp }));
  const results = { warmUp, echo: await repeated(() => echo(servers)), sweep: [] };
  console.log("BENCH " + JSON.stringify({ target: kind, scenario: "echo", ...results.echo }));
  for (const rate of RATES) {
    const point = await repeated(() => fanout(servers, rate));
    results.sweep.push(point);
    console.log("BENCH " + JSON.stringify({ target: kind, scenario: "fanout", ...point }));
    if (pastKnee(point)) break;
  }
  results.connections = await connections(kind, servers);
  console.log("BENCH " + JSON.stringify({ target: kind, scenario: "connections", ...results.connections }));
  adminUi?.disconnect();
  await stopServers(servers);
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
  const baseline = TARGETS.includes("baseline") ? await run("baseline") : null;
  const java = TARGETS.includes("java") ? await run("java") : null;
  const adminui = TARGETS.includes("adminui") ? await run("adminui") : null;
  const node = TARGETS.includes("node") ? await run("node") : null;
  const javaStreams = TARGETS.includes("java-streams") ? await run("java-streams") : null;
  const variants = [];
  for (const kind of Object.keys(JVM_VARIANTS)) {
    if (TARGETS.includes(kind)) variants.push({ ...JVM_VARIANTS[kind], result: await run(kind) });
  }
  const nodeStreams = TARGETS.includes("node-streams") ? await run("node-streams") : null;
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
process.on("exit", () => pool?.workers.forEach((w) => w.child.exitCode === null && w.child.kill()));
