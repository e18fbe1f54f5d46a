"use strict";
// Soak test (not part of the default suite): SOAK_MINUTES (10) of connection churn and traffic across the local
// three-node cluster. Churning clients connect, join a room, send acknowledged messages, leave; stable listeners
// (one per room) must receive every acknowledged message. Every 30 s it samples each node's /metrics; at the end it
// prints a report and exits non-zero if a message was lost, pending acks remain, rooms, live heap or direct memory
// kept growing, the nodes do not hold exactly the listeners' connections at the end, or a sample failed.
// The cluster (Redis, three nodes, haproxy: all of them daemons) is stopped whichever way this ends: an error,
// Ctrl-C or a kill included.
//
//   cd compat && node soak.js            (SOAK_MINUTES=2 node soak.js for a shorter run)
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { io } = require("socket.io-client");
const { startCluster } = require("./test/support/cluster");
const { exitOnSignals } = require("./bench/children");
const { freePorts } = require("./test/support/ports");

const MINUTES = Number(process.env.SOAK_MINUTES || 10);
const CHURNERS = Number(process.env.SOAK_CLIENTS || 60);
const ROOMS = ["r0", "r1", "r2", "r3", "r4"];
const clusterScript = path.resolve(__dirname, "../deploy/local/cluster.sh");
const once = (emitter, event, ms = 10000) => new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error(`no ${event}`)), ms);
  emitter.once(event, (...args) => { clearTimeout(timer); resolve(args); });
});

// Set before the cluster starts: cluster.sh's "down" on its run directory and Redis port (both chosen here, so that
// "down" finds even what a failed or interrupted "up" left), synchronous (execFileSync) so that it also runs in the
// "exit" handler a signal leads to (exitOnSignals); it runs once. The normal end stops the cluster itself
// (cluster.stop()) and clears it.
let tearDown = () => {};
process.on("exit", () => tearDown());
exitOnSignals();

async function metrics(managementPort) {
  const response = await fetch(`http://127.0.0.1:${managementPort}/metrics`, { signal: AbortSignal.timeout(10000) });
  if (!response.ok) throw new Error(`/metrics on ${managementPort} answered ${response.status}`);
  const text = await response.text();
  const sum = (name, filter = () => true) => text.split("\n").filter((l) => l.startsWith(name) && filter(l))
    .reduce((total, line) => total + Number(line.split(" ").pop()), 0);
  return {
    connections: sum("socketio_connections{"),
    rooms: sum("socketio_rooms{"),
    acksPending: sum("socketio_acks_pending"),
    liveHeap: sum("jvm_gc_live_data_size_bytes"),
    heapUsed: sum("jvm_memory_used_bytes{", (l) => l.includes('area="heap"')),
    direct: sum("netty_direct_memory_used_bytes"),
  };
}

/**
 * Whether a figure sampled every 30 s kept growing: over the samples between the first and the last (the start
 * precedes any traffic, the end follows it), the last one more than half again the second one plus 50 MB.
 */
function keptGrowing(samples, key) {
  const middle = samples.slice(1, -1).map((s) => s[key]).filter((v) => v > 0);
  return middle.length > 4 && middle[middle.length - 1] > 1.5 * Math.max(middle[1], 1) + 50e6;
}

async function main() {
  const [redisPort] = await freePorts(1);
  const clusterEnv = { RUN_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "soak-cluster-")), REDIS_PORT: String(redisPort) };
  tearDown = () => {
    tearDown = () => {};
    try {
      execFileSync("bash", [clusterScript, "down"], { env: { ...process.env, ...clusterEnv }, stdio: ["ignore", "ignore", "inherit"], timeout: 120000 });
      fs.rmSync(clusterEnv.RUN_DIR, { recursive: true, force: true });
    } catch (error) {
      console.error(`cluster down: ${error.message}`);
    }
  };
  const cluster = await startCluster({ ...clusterEnv, DASHBOARD_INTERVAL: "2000", EVENT_RATE: "1000", EVENT_BURST: "2000" });
  const listeners = [];
  try {
    const managementPorts = fs.readFileSync(`${cluster.runDir}/haproxy.cfg`, "utf8")
      .split("\n").filter((l) => l.includes(" check port ")).map((l) => Number(l.split(" check port ")[1].split(" ")[0]));
    const acked = new Set();
    const delivered = new Map(ROOMS.map((room) => [room, new Set()]));
    for (const room of ROOMS) {
      const listener = io(`${cluster.url}/chat`, { forceNew: true, withCredentials: true, reconnectionDelay: 200 });
      listeners.push(listener);
      listener.on("connect", () => listener.emit("joinRoom", room));
      listener.on("chatToClient", (m) => delivered.get(m.room).add(m.message));
      await once(listener, "connect");
    }
    const samples = [];
    const sample = async (label) => {
      const perNode = await Promise.all(managementPorts.map(metrics));
      const total = perNode.reduce((a, b) => Object.fromEntries(Object.keys(a).map((k) => [k, a[k] + b[k]])));
      samples.push({ label, ...total });
      console.log(label, JSON.stringify(total));
    };
    await sample("start");
    const deadline = Date.now() + MINUTES * 60_000;
    let sent = 0;
    let connects = 0;
    const churner = async (index) => {
      while (Date.now() < deadline) {
        const socket = io(`${cluster.url}/chat`, { forceNew: true, withCredentials: true, reconnection: false,
          transports: index % 3 === 0 ? ["polling"] : index % 3 === 1 ? ["websocket"] : ["polling", "websocket"] });
        try {
          await once(socket, "connect");
          connects++;
          const room = ROOMS[Math.floor(Math.random() * ROOMS.length)];
          await socket.timeout(5000).emitWithAck("joinRoom", room);
          for (let i = 0; i < 10 && Date.now() < deadline; i++) {
            const message = `${index}-${sent++}`;
            const answer = await socket.timeout(5000).emitWithAck("chatToRoom", { room, message });
            if (answer && answer.sent) acked.add(`${room}|${message}`);
            await new Promise((r) => setTimeout(r, 50 + Math.random() * 100));
          }
        } catch {
          // a timed-out attempt is not a promise: only acknowledged messages must arrive
        } finally {
          socket.disconnect();
        }
      }
    };
    // A sample that fails (a node's /metrics not answering) is recorded and fails the run at the end; the churn goes on.
    const failedSamples = [];
    let sampling = Promise.resolve();
    const timer = setInterval(() => {
      const label = `t+${Math.round((MINUTES * 60_000 - (deadline - Date.now())) / 1000)}s`;
      sampling = sample(label).catch((error) => {
        failedSamples.push(`${label}: ${error.message}`);
        console.error(`sample ${label} failed: ${error.message}`);
      });
    }, 30_000);
    try {
      await Promise.all(Array.from({ length: CHURNERS }, (_, i) => churner(i)));
    } finally {
      clearInterval(timer);
    }
    // A sample still under way lands before the end's (which must be the last one).
    await sampling;
    await new Promise((r) => setTimeout(r, 5000));
    await sample("end");

    const lost = [...acked].filter((key) => { const [room, message] = key.split("|"); return !delivered.get(room).has(message); });
    const first = samples[0];
    const last = samples[samples.length - 1];
    const liveHeapGrowing = keptGrowing(samples, "liveHeap");
    const directGrowing = keptGrowing(samples, "direct");
    const report = {
      minutes: MINUTES, churningClients: CHURNERS, connects, messagesAcknowledged: acked.size, lost: lost.length,
      roomsAtStart: first.rooms, roomsAtEnd: last.rooms, acksPendingAtEnd: last.acksPending,
      liveHeapMB: samples.map((s) => Math.round(s.liveHeap / 1e6)), directMemoryMB: samples.map((s) => Math.round(s.direct / 1e6)),
      liveHeapGrowing, directGrowing, connectionsAtEnd: last.connections, listeners: ROOMS.length, failedSamples,
    };
    console.log("SOAK REPORT " + JSON.stringify(report));
    const failed = lost.length > 0 || last.acksPending > 0 || last.rooms > first.rooms || liveHeapGrowing || directGrowing
      || last.connections !== ROOMS.length || failedSamples.length > 0;
    console.log(failed ? "SOAK FAILED" : "SOAK PASSED");
    return failed;
  } finally {
    listeners.forEach((l) => { l.io.reconnection(false); l.disconnect(); });
    try {
      await cluster.stop();
      tearDown = () => {};
    } catch (error) {
      console.error(`cluster stop: ${error.message}`);
    }
  }
}

main().then((failed) => process.exit(failed ? 1 : 0), (error) => {
  console.error(error);
  process.exit(1);
});
