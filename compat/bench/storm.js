"use strict";
// Reconnect storm (not in the default run): the local cluster of deploy/local (Redis, three nodes with PROXY
// protocol and per-address limits, haproxy), STORM_CLIENTS clients all on node 1, nodes 2 and 3 up and empty; node
// 1 is SIGKILLed and every client reconnects through the balancer with socket.io-client's default backoff and
// rejoins its room. Prints one "STORM {...}" line: time from the kill until every client was back in its room,
// percentiles, refused handshakes by reason, the clients per node after, and a broadcast checked to reach all.
//
//   mvn -B -q -DskipTests package && cd compat && npm ci && node bench/storm.js
//   (STORM_CLIENTS=15000 STORM_GENERATORS=2 STORM_CLIENTS_PER_ADDRESS=50 STORM_TARGET_SECONDS=15)
//
// Each generator process goes through its own haproxy (a second one runs the first one's configuration on another
// port): a proxied connection costs haproxy two descriptors, and a process here may hold 20,000. Clients come from
// many loopback addresses (127.0.x.y), STORM_CLIENTS_PER_ADDRESS each, so the nodes' per-address limits (1,000
// connections and 100 handshakes/s per address, deploy/local's defaults) apply as they would to real clients.
const { execFileSync, spawn } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { GeneratorPool } = require("./generator");
const { now } = require("./clock");
const { processStats, machineJiffies } = require("./proc");
const { exitOnSignals, killNow } = require("./children");
// Nodes 2 and 3 start again while 15,000 proxied connections hold ports of the ephemeral range.
const { freeListenPorts } = require("../test/support/ports");
const { waitFor } = require("../test/support/node");

const CLIENTS = Number(process.env.STORM_CLIENTS || 15000);
const GENERATORS = Number(process.env.STORM_GENERATORS || 2);
const PER_ADDRESS = Number(process.env.STORM_CLIENTS_PER_ADDRESS || 50);
const TARGET_SECONDS = Number(process.env.STORM_TARGET_SECONDS || 15);
const WINDOW = Number(process.env.STORM_WINDOW || 50);
const clusterScript = path.resolve(__dirname, "../../deploy/local/cluster.sh");

function percentile(sorted, p) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : null;
}

/** Counts by key (nodes, refusal reasons) of several generator processes, summed key by key. */
function sumCounts(counts) {
  const sum = {};
  for (const count of counts) for (const [key, n] of Object.entries(count)) sum[key] = (sum[key] || 0) + n;
  return sum;
}

// What must not outlive this command, whichever way it ends: set by main once there is something to stop.
// Synchronous (execFileSync), so that it also runs in the "exit" handler that a signal leads to (exitOnSignals);
// it runs once.
let tearDown = () => {};
process.on("exit", () => tearDown());
exitOnSignals();

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function main() {
  const perBalancer = Math.ceil(CLIENTS / GENERATORS);
  const maxconn = perBalancer + 500;
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), "storm-"));
  // Every port at once, so that no two of them are the same.
  const [lb, n1, n2, n3, m1, m2, m3, redis, ...moreLbPorts] = await freeListenPorts(7 + GENERATORS);
  const ports = { lb, nodes: [n1, n2, n3], management: [m1, m2, m3], redis };
  const lbPorts = [lb, ...moreLbPorts];
  const env = { ...process.env, RUN_DIR: runDir, LB_PORT: String(ports.lb), NODE_PORTS: ports.nodes.join(" "),
    MANAGEMENT_PORTS: ports.management.join(" "), REDIS_PORT: String(ports.redis), LB_MAXCONN: String(maxconn),
    LOG_LEVEL: "WARN", EVENT_RATE: "0",
    // Heartbeats are not what this measures: on a shared 2-core machine a generator process can stall past the
    // default 20 s and lose its clients to ping timeouts before the kill (see scale.js).
    PING_TIMEOUT: process.env.STORM_PING_TIMEOUT || "300000" };
  const cluster = (command) => execFileSync("bash", [clusterScript, command], { env, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  // "up" starts what is not running; on a loaded machine a starting JVM can miss its Redis handshake timeout and
  // exit, so a failed "up" is tried again (twice).
  const up = () => {
    for (let attempt = 1; ; attempt++) {
      try {
        return cluster("up");
      } catch (error) {
        if (attempt === 3) throw error;
        console.error(`storm: cluster up failed (${error.message.split("\n")[0]}); again`);
      }
    }
  };
  const readPid = (file) => Number(fs.readFileSync(file, "utf8").trim());
  const pidOf = (name) => readPid(path.join(runDir, `${name}.pid`));
  const extraBalancers = [];
  const pool = new GeneratorPool(GENERATORS, [], "storm-worker.js");
  // The generator processes, the extra balancers and the cluster (Redis, nodes, haproxy): cluster.sh's "down".
  tearDown = () => {
    tearDown = () => {};
    pool.workers.forEach((worker) => killNow(worker.child));
    for (const pidFile of extraBalancers) {
      try {
        process.kill(readPid(pidFile), "SIGTERM");
      } catch {
        // already gone
      }
    }
    try {
      cluster("down");
    } catch (error) {
      console.error(`cluster down: ${error.message}`);
    }
  };
  try {
    up();
    // The other balancers: the same configuration, another port.
    const config = fs.readFileSync(path.join(runDir, "haproxy.cfg"), "utf8");
    for (const port of lbPorts.slice(1)) {
      const file = path.join(runDir, `haproxy-${port}.cfg`);
      fs.writeFileSync(file, config.replace(`bind 127.0.0.1:${ports.lb}`, `bind 127.0.0.1:${port}`));
      execFileSync("haproxy", ["-f", file, "-D", "-p", path.join(runDir, `haproxy-${port}.pid`)]);
      extraBalancers.push(path.join(runDir, `haproxy-${port}.pid`));
    }
    // Nodes 2 and 3 leave (graceful drain), so that every client lands on node 1.
    for (const n of [2, 3]) process.kill(pidOf(`node-${n}`), "SIGTERM");
    await waitFor(() => ![2, 3].some((n) => alive(pidOf(`node-${n}`))), 30000, "nodes 2 and 3 stopped");
    await new Promise((r) => setTimeout(r, 1500)); // haproxy's checks (every 500 ms, fall 2) see them down

    const addressCount = Math.ceil(CLIENTS / PER_ADDRESS);
    const addresses = Array.from({ length: addressCount }, (_, i) => `127.0.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`);
    const connectStarted = now();
    const connects = await pool.all("connect", (w) => ({
      url: `http://127.0.0.1:${lbPorts[w]}`, count: Math.min(perBalancer, CLIENTS - w * perBalancer), namespace: "/chat",
      room: `room-${w}`, addresses: addresses.filter((_, i) => i % GENERATORS === w), window: WINDOW }));
    const connectSeconds = (now() - connectStarted) / 1000;

    // Nodes 2 and 3 come back, empty; then node 1 dies with every client.
    up();
    await new Promise((r) => setTimeout(r, 2000)); // haproxy's checks: rise 2 at 500 ms
    await pool.all("arm");
    const node1 = pidOf("node-1");
    // Who spent the machine during the storm: the surviving nodes, the balancers, Redis, the generator processes.
    const roles = { nodes: [pidOf("node-2"), pidOf("node-3")], balancers: [pidOf("haproxy"), ...extraBalancers.map(readPid)],
      redis: [pidOf("redis")], generators: pool.workers.map((w) => w.pid) };
    const cpuOf = () => Object.fromEntries(Object.entries(roles).map(([role, pids]) =>
      [role, pids.reduce((total, pid) => total + processStats(pid).cpuSeconds, 0)]));
    const cpuBefore = cpuOf();
    const machineBefore = machineJiffies();
    const killedAt = now();
    process.kill(node1, "SIGKILL");
    // Waits well past the target, so that a slow storm still says how long it took.
    const results = await pool.all("collect", () => ({ waitMs: Math.max(120, TARGET_SECONDS * 4) * 1000 }));
    const stormSeconds = (now() - killedAt) / 1000;
    const cpuAfter = cpuOf();
    const machineAfter = machineJiffies();

    const cut = results.reduce((t, r) => t + r.cut, 0);
    const back = results.reduce((t, r) => t + r.back, 0);
    const backTimes = results.flatMap((r) => r.backAt).map((at) => at - killedAt).sort((a, b) => a - b);
    const cutTimes = results.flatMap((r) => r.cutAt).map((at) => at - killedAt).sort((a, b) => a - b);
    const refusals = sumCounts(results.map((r) => r.refusals));
    const nodesAfter = sumCounts(results.map((r) => r.nodes));

    // Every client is reachable again: one broadcast to /chat from node 2 reaches all of them.
    await pool.all("listen", () => ({ n: 1, waitMs: 10000 }));
    const response = await fetch(`http://127.0.0.1:${ports.management[1]}/api/v1/emit`, {
      method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ namespace: "/chat", event: "storm", data: { n: 1 } }) });
    if (response.status !== 202) throw new Error(`emit answered ${response.status}`);
    // Distinct clients that heard it, and extra copies apart (a duplicate does not make up for a miss).
    const hearings = await pool.all("heard");
    const heard = hearings.reduce((t, h) => t + h.heard, 0);
    const duplicates = hearings.reduce((t, h) => t + h.duplicates, 0);

    const seconds = (ms) => (ms == null ? null : Number((ms / 1000).toFixed(2)));
    const allBack = back === CLIENTS;
    const result = {
      clients: CLIENTS, generators: GENERATORS, balancers: lbPorts.length, sourceAddresses: addressCount,
      initial: { connected: connects.reduce((t, c) => t + c.connected, 0), seconds: Number(connectSeconds.toFixed(1)),
        nodes: sumCounts(connects.map((c) => c.nodes)), refusals: connects.map((c) => c.refusals) },
      cut, back, secondsUntilAllBack: allBack ? seconds(backTimes[backTimes.length - 1]) : null,
      backSeconds: { p50: seconds(percentile(backTimes, 0.5)), p90: seconds(percentile(backTimes, 0.9)), p99: seconds(percentile(backTimes, 0.99)) },
      cutSeconds: { p50: seconds(percentile(cutTimes, 0.5)), max: seconds(cutTimes[cutTimes.length - 1]) },
      refusedOrFailedAttempts: refusals, nodesAfter, broadcastHeardBy: heard, broadcastDuplicates: duplicates,
      pass: allBack && backTimes[backTimes.length - 1] <= TARGET_SECONDS * 1000 && heard === CLIENTS,
      // Cores used on average from the kill until the last client was back, per role, and the machine's busy share.
      coresUsed: Object.fromEntries(Object.keys(roles).map((role) => [role, Number(((cpuAfter[role] - cpuBefore[role]) / stormSeconds).toFixed(2))])),
      machineBusyShare: Number(((machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total)).toFixed(2)),
      loadAverage: os.loadavg().map((l) => Number(l.toFixed(1))),
    };
    console.log("STORM " + JSON.stringify(result));
    await pool.all("close");
  } finally {
    await pool.close();
    tearDown();
  }
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
