"use strict";
// Connection scale (not in the default run): SCALE_CONNECTIONS lean WebSocket clients over a cluster of
// SCALE_NODES gateway nodes on this machine (one Redis), each joined to a room of /chat, then broadcasts to
// everyone in /chat through the backend API. Prints one "SCALE {...}" line: connect rate, time until every
// connection had each broadcast, per-node RSS, live heap (after a full GC) and native memory (NMT) per
// connection, the kernel's socket memory, and the generator's processes.
//
//   mvn -B -q -DskipTests package && cd compat && npm ci && node bench/scale.js
//   (SCALE_CONNECTIONS=100000 SCALE_NODES=6 SCALE_GENERATORS=6 SCALE_ROOMS=1000 SCALE_BROADCASTS=3
//    SCALE_WINDOW=100 SCALE_CLIENT=raw SCALE_JAVA_OPTS="-Xmx512m")
//   One node's memory per connection, class by class (about a minute):
//   SCALE_CONNECTIONS=5000 SCALE_NODES=1 SCALE_BROADCASTS=1 SCALE_WARMUP=300 SCALE_TOP_CLASSES=40 \
//     SCALE_HISTOGRAM_FILE=/tmp/classes.json node bench/scale.js
const { execFileSync, spawn } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { GeneratorPool } = require("./generator");
const { Histogram } = require("./histogram");
const { now } = require("./clock");
const { JIT_QUIET_SHARE, processStats, machineJiffies, cpuReading, cpuSpent, liveHeapKb } = require("./proc");
const { freePorts } = require("../test/support/ports");
const { startRedis } = require("../test/support/redis");
const { waitFor } = require("../test/support/node");
const { exitOnSignals, stopChild, killNow } = require("./children");

const CONNECTIONS = Number(process.env.SCALE_CONNECTIONS || 100000);
const NODES = Number(process.env.SCALE_NODES || 6);
const GENERATORS = Number(process.env.SCALE_GENERATORS || NODES);
// Rooms of /chat; connection i joins room i % ROOMS. The broadcast goes to the whole namespace, every room.
const ROOMS = Number(process.env.SCALE_ROOMS || 1000);
const BROADCASTS = Number(process.env.SCALE_BROADCASTS || 3);
// Broadcasts to everyone before the measured ones, reported apart: the first broadcasts to 16,000 connections per
// node run while the JIT compiles that loop for such counts (the warm-up's few connections do not get it there).
// At least SCALE_WARM_BROADCASTS, then more until the nodes' compiler threads took under JIT_QUIET_SHARE of the nodes'
// CPU in one, at most SCALE_WARM_BROADCASTS_MAX in all: after two, C2 still took 7 to 25 % of the nodes' CPU in the
// next four broadcasts (recompiling as the profiles grew) and the broadcast to everyone took 0.5 to 0.8 s longer.
const WARM_BROADCASTS = Number(process.env.SCALE_WARM_BROADCASTS || 2);
const WARM_BROADCASTS_MAX = Math.max(WARM_BROADCASTS, Number(process.env.SCALE_WARM_BROADCASTS_MAX || 12));
// A window without traffic after the broadcasts: what the nodes spend on idle connections (heartbeats, timers)
// per connection. The nodes are started with socket.io's default ping interval, 25 s.
const IDLE_SECONDS = Number(process.env.SCALE_IDLE_SECONDS || 10);
const PING_INTERVAL_MS = 25000;
// Connections per source address. Linux's connect() takes a free ephemeral port per destination scanning the
// range (even ports first): past half the range (about 14,000 connections to one node's port from one address)
// each connect scans thousands of ports in the kernel and the whole machine slows down. Clients therefore bind
// to several loopback source addresses (127.0.x.y), each with its own port range.
const PER_ADDRESS = Number(process.env.SCALE_CLIENTS_PER_ADDRESS || 4000);
// Handshakes in flight per generator process.
const WINDOW = Number(process.env.SCALE_WINDOW || 100);
// The nodes' pingTimeout: on a shared 2-core machine a generator process with 16,000 clients was seen to stall for
// up to two minutes (a major GC at a few percent of a core), and the default 20 s closed all its clients. The
// scenario measures memory and broadcast time, not heartbeats under starvation.
const PING_TIMEOUT = process.env.SCALE_PING_TIMEOUT || "300000";
// A time budget for opening the connections (seconds; none by default): on a machine shared with other work the
// run goes on with as many as were open by then, and says so.
const CONNECT_SECONDS = Number(process.env.SCALE_CONNECT_SECONDS || 0);
const WARMUP_PER_GENERATOR = Number(process.env.SCALE_WARMUP || 500);
// How the generator's clients speak WebSocket: "raw" (bench/raw-websocket.js, frames read straight from the TCP
// socket) or "ws" (the `ws` package, as the default benchmark's clients). The generator shares the machine with the
// nodes, and with `ws` its processes used 31 to 43 us per delivered broadcast, 60 % of this machine.
const CLIENT = process.env.SCALE_CLIENT || "raw";
if (!["raw", "ws"].includes(CLIENT)) throw new Error(`SCALE_CLIENT must be raw or ws, not ${CLIENT}`);
// How many classes the result lists (node 1's live-heap growth per connection); SCALE_HISTOGRAM_FILE: a file that
// gets every class's growth (bytes and instances per connection), for comparing two runs class by class.
const TOP_CLASSES = Number(process.env.SCALE_TOP_CLASSES || 15);
const HISTOGRAM_FILE = process.env.SCALE_HISTOGRAM_FILE;
// Idle time before the native-memory baseline and before the reading: HotSpot returns the compiler's spare arena
// chunks every 5 s, and a reading taken right after a burst of compilation counts (or, at the baseline, discounts)
// several MB of them, which at a few thousand connections is more than the connections' own native memory.
const NMT_SETTLE_MS = Number(process.env.SCALE_NMT_SETTLE_MS ?? 6000);
// NMT categories of the JIT (code cache, compiler threads' arenas): they follow what is being compiled, not the
// connections; "nativeWithoutJit" leaves them out.
const JIT_CATEGORIES = ["Code", "Compiler", "Arena Chunk"];
const JAVA_OPTS = (process.env.SCALE_JAVA_OPTS || "-Xmx512m").split(" ").filter(Boolean);
const jar = process.env.BENCH_JAR || path.resolve(__dirname, "../../gateway/target/gateway.jar");
// Descriptors a node or a generator process needs beyond one per connection (jars, epoll, Redis, listeners).
const SPARE_FILES = 500;
const PAGE_SIZE = Number(execFileSync("getconf", ["PAGESIZE"], { encoding: "utf8" }).trim());

/** The soft and hard limits on open files of processes started from here, and the machine's. */
function fileLimits() {
  const line = fs.readFileSync("/proc/self/limits", "utf8").split("\n").find((l) => l.startsWith("Max open files"));
  const [soft, hard] = line.trim().split(/\s+/).slice(3, 5).map(Number);
  const read = (file) => Number(fs.readFileSync(file, "utf8").trim().split(/\s+/)[0]);
  return { soft, hard, fileMax: read("/proc/sys/fs/file-max"), nrOpen: read("/proc/sys/fs/nr_open") };
}

/** TCP line of /proc/net/sockstat: sockets in use and the memory (pages) the kernel has for their buffers. */
function sockstat() {
  const line = fs.readFileSync("/proc/net/sockstat", "utf8").split("\n").find((l) => l.startsWith("TCP:"));
  const fields = Object.fromEntries(line.slice(5).trim().split(/\s+/).reduce((pairs, v, i, a) => (i % 2 ? pairs : [...pairs, [a[i], Number(a[i + 1])]]), []));
  return { inuse: fields.inuse, memKb: (fields.mem * PAGE_SIZE) / 1024 };
}

// The kernel's own objects per socket (slab caches), which sockstat's buffer memory does not count.
const SOCKET_SLABS = ["TCP", "tcp_bind_bucket", "sock_inode_cache", "dentry", "filp", "eventpoll_epi", "eventpoll_pwq", "request_sock_TCP"];

/** Bytes in the socket-related slab caches (objects x object size), from /proc/slabinfo (root only; else null). */
function socketSlabBytes() {
  try {
    const bytes = {};
    for (const line of fs.readFileSync("/proc/slabinfo", "utf8").split("\n").slice(2)) {
      const [name, activeObjs, , objSize] = line.trim().split(/\s+/);
      if (SOCKET_SLABS.includes(name)) bytes[name] = Number(activeObjs) * Number(objSize);
    }
    return bytes;
  } catch {
    return null;
  }
}

const jcmd = (pid, ...args) => execFileSync("jcmd", [String(pid), ...args], { encoding: "utf8", maxBuffer: 1 << 24 });

/** Bytes per class of the live heap (GC.class_histogram forces a full GC first); instances in `counts`. */
function classHistogram(pid) {
  const bytes = new Map();
  bytes.counts = new Map();
  for (const match of jcmd(pid, "GC.class_histogram").matchAll(/^\s*\d+:\s+(\d+)\s+(\d+)\s+(\S+)/gm)) {
    bytes.set(match[3], Number(match[2]));
    bytes.counts.set(match[3], Number(match[1]));
  }
  return bytes;
}

/** Where the live heap's growth went: the classes that grew most, in bytes per connection. */
function heapGrowth(before, after, connections, top = TOP_CLASSES) {
  return Object.fromEntries([...after].map(([name, b]) => [name, (b - (before.get(name) || 0)) / connections])
    .sort((x, y) => y[1] - x[1]).slice(0, top).map(([name, perConnection]) => [name, Math.round(perConnection)]));
}

/** Every class whose live bytes changed, per connection: bytes and instances (for SCALE_HISTOGRAM_FILE). */
function fullHeapGrowth(before, after, connections) {
  return [...after].map(([name, b]) => ({ name, bytes: (b - (before.get(name) || 0)) / connections,
    instances: (after.counts.get(name) - (before.counts.get(name) || 0)) / connections }))
    .filter((c) => Math.abs(c.bytes) >= 0.5).sort((x, y) => y.bytes - x.bytes)
    .map((c) => ({ ...c, bytes: Number(c.bytes.toFixed(1)), instances: Number(c.instances.toFixed(3)) }));
}

/** Committed-memory changes since the NMT baseline, per category (KB), and the total. */
function nativeMemoryDiff(pid) {
  const text = jcmd(pid, "VM.native_memory", "summary.diff");
  const categories = {};
  for (const match of text.matchAll(/^-\s+(.+?) \(reserved=\d+KB(?: [+-]\d+KB)?, committed=\d+KB(?: ([+-]\d+)KB)?\)/gm)) {
    categories[match[1].trim()] = Number(match[2] || 0);
  }
  const total = /Total: reserved=\d+KB(?: [+-]\d+KB)?, committed=\d+KB(?: ([+-]\d+)KB)?/.exec(text);
  return { totalKb: Number(total?.[1] || 0), categories };
}

const started = new Set();
let redis = null;
process.on("exit", () => {
  started.forEach(killNow);
  redis?.stop(); // sends SIGTERM at once; the exit does not wait for it
});
exitOnSignals();

/** The median of the values that are not null (the lower of the two middle ones), null when none is. */
function median(values) {
  const sorted = values.filter((v) => v != null).sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)] : null;
}

/**
 * Starts the nodes one after the other, each ready before the next starts (a loaded machine slows a JVM's start
 * enough that several starting at once can miss their Redis connect timeout); a node that exits is started again,
 * at most twice.
 */
async function startNodes(redisUrl, perNode) {
  const nodes = [];
  for (let i = 1; i <= NODES; i++) {
    for (let attempt = 1; ; attempt++) {
      const node = await startNode(i, redisUrl, perNode);
      const exited = new Promise((resolve) => node.child.on("exit", () => resolve(false)));
      const ready = waitFor(async () => {
        try {
          return (await fetch(`http://127.0.0.1:${node.managementPort}/health/ready`)).ok;
        } catch {
          return false;
        }
      }, 120000, `node ${i} ready`).then(() => true);
      if (await Promise.race([ready, exited])) {
        nodes.push(node);
        break;
      }
      if (attempt === 3) throw new Error(`node ${i} did not start, see ${path.join(os.tmpdir(), `scale-node-${i}.log`)}`);
      console.error(`scale: node ${i} exited while starting; starting it again`);
    }
  }
  return nodes;
}

async function startNode(i, redisUrl, perNode) {
  const [port, managementPort] = await freePorts(2);
  const log = fs.openSync(path.join(os.tmpdir(), `scale-node-${i}.log`), "a");
  const gcLog = `-Xlog:gc:file=${path.join(os.tmpdir(), `scale-node-${i}-gc.log`)}`;
  const child = spawn("java", [...JAVA_OPTS, "-XX:NativeMemoryTracking=summary", gcLog, "-jar", jar], {
    stdio: ["ignore", log, log],
    env: { ...process.env, SOCKETIO_HOST: "127.0.0.1", SOCKETIO_PORT: String(port), MANAGEMENT_PORT: String(managementPort),
      REDIS_URL: redisUrl, NODE_ID: `scale-${i}`, EVENT_RATE: "0", LOG_LEVEL: "WARN", DASHBOARD_INTERVAL: "600000",
      MAX_CONNECTIONS: String(perNode + 100), PING_TIMEOUT: PING_TIMEOUT, PING_INTERVAL: String(PING_INTERVAL_MS) },
  });
  fs.closeSync(log);
  started.add(child);
  return { i, port, managementPort, url: `http://127.0.0.1:${port}`, pid: child.pid, child };
}

/** The node's open /chat WebSocket connections, from its metrics. */
async function liveConnections(node) {
  const text = await (await fetch(`http://127.0.0.1:${node.managementPort}/metrics`)).text();
  return Number(/socketio_connections\{nsp="\/chat",transport="websocket"\} (\S+)/.exec(text)[1]);
}

/** A progress line on stderr: clients and unexpected closes per generator, ping timeouts per node. */
async function report(nodes, pool, phase) {
  try {
    const stats = await pool.all("stats");
    const pingTimeouts = await Promise.all(nodes.map(async (node) => {
      const text = await (await fetch(`http://127.0.0.1:${node.managementPort}/metrics`)).text();
      return Number(/socketio_disconnects_total\{nsp="\/chat",reason="ping timeout"\} (\S+)/.exec(text)?.[1] || 0);
    }));
    console.error(`scale: ${phase}: clients ${stats.map((s) => s.clients).join(",")} closed ${stats.map((s) => s.disconnected).join(",")}`
      + ` loop delay max ms ${stats.map((s) => s.loopDelayMs.max).join(",")} ping timeouts ${pingTimeouts.join(",")} load ${os.loadavg()[0].toFixed(1)}`);
  } catch (error) {
    console.error(`scale: progress: ${error.message}`);
  }
}

// Every broadcast's number (`n` in its payload), so that a worker counts only the one it was armed for: a late copy
// of an earlier broadcast must not count towards the next.
let broadcastsSent = 0;

async function broadcast(nodes, pool) {
  const n = ++broadcastsSent;
  await pool.all("arm", () => ({ n }));
  const nodesCpu = () => cpuReading(nodes.map((node) => node.pid), { jvm: true });
  const generatorsCpu = () => cpuReading(pool.workers.map((worker) => worker.child.pid));
  const cpuBefore = nodesCpu();
  const generatorsBefore = generatorsCpu();
  const machineBefore = machineJiffies();
  const sentAt = now();
  const response = await fetch(`http://127.0.0.1:${nodes[0].managementPort}/api/v1/emit`, {
    method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ namespace: "/chat", event: "scale", data: { t: sentAt, n } }),
  });
  if (response.status !== 202) throw new Error(`emit answered ${response.status}: ${await response.text()}`);
  const results = await pool.all("collect", () => ({ waitMs: 30000 }));
  const spent = cpuSpent(cpuBefore, nodesCpu());
  const generatorsSpent = cpuSpent(generatorsBefore, generatorsCpu());
  const machineAfter = machineJiffies();
  const histogram = new Histogram();
  results.forEach((r) => histogram.merge(r.histogram));
  const received = results.reduce((total, r) => total + r.received, 0);
  const expected = results.reduce((total, r) => total + r.expected, 0);
  const lastAt = Math.max(...results.map((r) => r.lastAt ?? Infinity));
  return {
    received, expected, missing: expected - received,
    msUntilEveryone: received === expected ? Number((lastAt - sentAt).toFixed(1)) : null,
    latencyMs: { p50: histogram.percentile(0.5), p99: histogram.percentile(0.99), max: histogram.max() },
    // Server CPU from the send until the last client had it (every node; includes their idle background).
    serverCpuMicrosPerDelivery: received ? Number(((spent.cpuSeconds * 1e6) / received).toFixed(2)) : null,
    serverUserCpuMicrosPerDelivery: received ? Number(((spent.userSeconds * 1e6) / received).toFixed(2)) : null,
    // The same CPU by thread role, in seconds over all nodes: event loops, Redis, JIT compilers, GC, other.
    serverCpuSecondsByThread: Object.fromEntries(Object.entries(spent.byThread).map(([role, seconds]) => [role, Number(seconds.toFixed(2))])),
    serverJitShare: spent.cpuSeconds > 0 ? Number((spent.byThread.jit / spent.cpuSeconds).toFixed(3)) : null,
    // The generator's processes over the same time (receiving, parsing, their heartbeats), and how busy the whole
    // machine was: with both near their limit, the machine, not the nodes, decides how soon everyone has it.
    generatorCpuMicrosPerDelivery: received ? Number(((generatorsSpent.cpuSeconds * 1e6) / received).toFixed(2)) : null,
    generatorUserCpuMicrosPerDelivery: received ? Number(((generatorsSpent.userSeconds * 1e6) / received).toFixed(2)) : null,
    machineBusy: Number(((machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total)).toFixed(2)),
  };
}

async function main() {
  if (!fs.existsSync(jar)) throw new Error(`${jar} is missing: mvn -B -q -DskipTests package`);
  const limits = fileLimits();
  const perNode = Math.ceil(CONNECTIONS / NODES);
  const perGenerator = Math.ceil(CONNECTIONS / GENERATORS);
  for (const [who, count] of [["node", perNode], ["generator process", perGenerator]]) {
    if (count + SPARE_FILES > limits.soft) {
      throw new Error(`each ${who} would hold ${count} connections, over the open-files limit ${limits.soft} (ulimit -n) less ${SPARE_FILES}: raise SCALE_NODES/SCALE_GENERATORS or the limit`);
    }
  }
  // Both ends of every connection are on this machine.
  if (2 * CONNECTIONS + NODES * SPARE_FILES > limits.fileMax) throw new Error(`fs.file-max ${limits.fileMax} is too low for ${CONNECTIONS} connections`);

  redis = await startRedis();
  const pool = new GeneratorPool(GENERATORS, [], "scale-worker.js");
  pool.workers.forEach((worker) => started.add(worker.child));
  try {
    const nodes = await startNodes(redis.url, perNode);
    // Warm-up, unmeasured: a few connections per generator through every path below (connect, join, broadcast,
    // close), so that the baseline already holds the JIT's code, the classes and the pools the first clients cost.
    const warmUrls = pool.workers.map((_, w) => Array.from({ length: WARMUP_PER_GENERATOR }, (_, i) => nodes[(w + i) % NODES].url));
    await pool.all("connect", (w) => ({ urls: warmUrls[w], namespace: "/chat", window: WINDOW, raw: CLIENT === "raw" }));
    await pool.all("join", (w) => ({ rooms: warmUrls[w].map((_, i) => `room-${i % ROOMS}`), window: WINDOW }));
    for (let n = 0; n < 3; n++) await broadcast(nodes, pool);
    await pool.all("close");
    await new Promise((r) => setTimeout(r, 2000));
    await new Promise((r) => setTimeout(r, NMT_SETTLE_MS));
    const before = nodes.map((node) => ({ heapKb: liveHeapKb(node.pid), ...processStats(node.pid) }));
    nodes.forEach((node) => jcmd(node.pid, "VM.native_memory", "baseline"));
    const classesBefore = classHistogram(nodes[0].pid);
    const socketsBefore = sockstat();
    const slabsBefore = socketSlabBytes();

    // Connection i goes to node i % NODES and is opened by generator i % GENERATORS.
    const urls = pool.workers.map(() => []);
    const rooms = pool.workers.map(() => []);
    const perNodeCount = new Array(NODES).fill(0);
    for (let i = 0; i < CONNECTIONS; i++) {
      urls[i % GENERATORS].push(nodes[i % NODES].url);
      rooms[i % GENERATORS].push(`room-${i % ROOMS}`);
      perNodeCount[i % NODES]++;
    }
    const progress = setInterval(() => report(nodes, pool, "connecting"), 15000);
    const addressesOf = (w) => Array.from({ length: Math.ceil(urls[w].length / PER_ADDRESS) }, (_, j) => `127.0.${10 + w}.${1 + j}`);
    const deadline = CONNECT_SECONDS ? now() + CONNECT_SECONDS * 1000 : undefined;
    const connects = await pool.all("connect", (w) => ({ urls: urls[w], namespace: "/chat", window: WINDOW, addresses: addressesOf(w), deadline, raw: CLIENT === "raw" }));
    clearInterval(progress);
    const connected = connects.reduce((t, c) => t + c.connected, 0);
    const connectSeconds = (Math.max(...connects.map((c) => c.ended)) - Math.min(...connects.map((c) => c.started))) / 1000;
    const failed = connects.reduce((t, c) => t + c.failed, 0);
    if (failed) console.error(`scale: ${failed} connections failed: ${JSON.stringify(connects.map((c) => c.errors))}`);
    const joinProgress = setInterval(() => report(nodes, pool, "joining"), 15000);
    const joins = await pool.all("join", (w) => ({ rooms: rooms[w].slice(0, connects[w].connected), window: WINDOW }));
    clearInterval(joinProgress);
    const joinSeconds = (Math.max(...joins.map((j) => j.ended)) - Math.min(...joins.map((j) => j.started))) / 1000;
    // Joins acknowledged (a failed or unanswered one is no join), for joinsPerSecond over joinSeconds.
    const joined = joins.reduce((t, j) => t + j.joined, 0);

    console.error(`scale: ${connected} connected, ${joined} joined; broadcasting`);
    const warmUpBroadcasts = [];
    while (warmUpBroadcasts.length < WARM_BROADCASTS
        || (warmUpBroadcasts.length < WARM_BROADCASTS_MAX && !(warmUpBroadcasts.at(-1).serverJitShare < JIT_QUIET_SHARE))) {
      warmUpBroadcasts.push(await broadcast(nodes, pool));
      await new Promise((r) => setTimeout(r, 1000));
    }
    const broadcasts = [];
    for (let n = 0; n < BROADCASTS; n++) {
      broadcasts.push(await broadcast(nodes, pool));
      await new Promise((r) => setTimeout(r, 1000));
    }

    const idleBefore = cpuReading(nodes.map((node) => node.pid));
    await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
    const idleCpuSeconds = cpuSpent(idleBefore, cpuReading(nodes.map((node) => node.pid))).cpuSeconds;
    const idleMicrosPerConnectionPerSecond = (idleCpuSeconds * 1e6) / IDLE_SECONDS / connected;
    const idle = {
      seconds: IDLE_SECONDS, nodesCores: Number((idleCpuSeconds / IDLE_SECONDS).toFixed(3)),
      cpuMicrosPerConnectionPerSecond: Number(idleMicrosPerConnectionPerSecond.toFixed(3)),
      // An upper bound on one heartbeat's cost (ping written, pong read, timers moved): all idle CPU is charged to it.
      cpuMicrosPerHeartbeat: Number((idleMicrosPerConnectionPerSecond * (PING_INTERVAL_MS / 1000)).toFixed(1)),
    };

    // Memory held per connection, on each node: after a full GC, against the baseline taken before any client.
    const socketsAfter = sockstat();
    const slabsAfter = socketSlabBytes();
    const live = await Promise.all(nodes.map(liveConnections));
    await new Promise((r) => setTimeout(r, NMT_SETTLE_MS));
    const perNodeMemory = nodes.map((node, i) => {
      const heapKb = liveHeapKb(node.pid);
      const stats = processStats(node.pid);
      const nmt = nativeMemoryDiff(node.pid);
      const count = live[i];
      const perConnection = (kb) => Number(((kb * 1024) / count).toFixed(0));
      // Native: every committed change but the Java heap's (the heap counts as its live part instead).
      const nativeKb = nmt.totalKb - (nmt.categories["Java Heap"] || 0);
      const jitKb = JIT_CATEGORIES.reduce((total, name) => total + (nmt.categories[name] || 0), 0);
      const byCategory = Object.fromEntries(Object.entries(nmt.categories).filter(([, kb]) => kb !== 0).map(([name, kb]) => [name, perConnection(kb)]));
      return {
        node: i + 1, connections: count, openFiles: stats.openFiles, threads: stats.threads,
        rssMb: Math.round(stats.rssKb / 1024),
        bytesPerConnection: {
          liveHeap: perConnection(heapKb - before[i].heapKb), native: perConnection(nativeKb),
          heapPlusNative: perConnection(heapKb - before[i].heapKb + nativeKb),
          nativeWithoutJit: perConnection(nativeKb - jitKb), heapPlusNativeWithoutJit: perConnection(heapKb - before[i].heapKb + nativeKb - jitKb),
          rss: perConnection(stats.rssKb - before[i].rssKb),
          nmtCommittedByCategory: byCategory,
        },
      };
    });
    const generators = await pool.all("stats");
    const classesAfter = classHistogram(nodes[0].pid);
    const node1HeapByClass = heapGrowth(classesBefore, classesAfter, live[0]);
    if (HISTOGRAM_FILE) fs.writeFileSync(HISTOGRAM_FILE, JSON.stringify(fullHeapGrowth(classesBefore, classesAfter, live[0]), null, 1));
    const result = {
      connections: CONNECTIONS, nodes: NODES, generators: GENERATORS, client: CLIENT, rooms: ROOMS, connected, failed,
      retried: connects.reduce((t, c) => t + c.retried, 0),
      connectsPerSecond: Math.round(connected / connectSeconds), connectSeconds: Number(connectSeconds.toFixed(1)),
      joined, joinsPerSecond: Math.round(joined / joinSeconds),
      warmUpBroadcasts, broadcasts, idle, medianMsUntilEveryone: median(broadcasts.map((b) => b.msUntilEveryone)),
      perNode: perNodeMemory,
      medianHeapPlusNativeBytesPerConnection: median(perNodeMemory.map((n) => n.bytesPerConnection.heapPlusNative)),
      kernel: { tcpSockets: socketsAfter.inuse - socketsBefore.inuse, tcpMemKb: socketsAfter.memKb - socketsBefore.memKb,
        // Both ends of each connection are sockets of this machine.
        tcpMemBytesPerConnection: Number((((socketsAfter.memKb - socketsBefore.memKb) * 1024) / connected).toFixed(0)),
        slabBytesPerConnection: slabsAfter && Object.fromEntries(Object.keys(slabsAfter).map((name) => [name, Math.round((slabsAfter[name] - (slabsBefore[name] || 0)) / connected)])) },
      loadAverage: os.loadavg().map((l) => Number(l.toFixed(1))),
      joinFailures: joins.reduce((t, j) => t + j.failed, 0),
      node1HeapBytesPerConnectionByClass: node1HeapByClass,
      generatorProcesses: generators.map((g) => ({ clients: g.clients, disconnected: g.disconnected, rssMb: g.rssMb, heapUsedMb: g.heapUsedMb, loopDelayMaxMs: g.loopDelayMs.max })),
      limits: { openFilesPerProcess: limits.soft, hard: limits.hard, fileMax: limits.fileMax, nrOpen: limits.nrOpen,
        maxFilesOfANode: Math.max(...perNodeMemory.map((n) => n.openFiles)) },
    };
    console.log("SCALE " + JSON.stringify(result));
    await pool.all("close");
    await Promise.all(nodes.map((node) => stopChild(node.child)));
  } finally {
    await pool.close();
    await redis.stop();
  }
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
