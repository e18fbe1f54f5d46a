"use strict";
// Soak test (not part of the default suite): SOAK_MINUTES (10) of connection churn and traffic across the local
// three-node cluster. Churning clients connect, join a room, send acknowledged messages, leave; stable listeners
// (one per room) must receive every acknowledged message. Every 30 s it samples each node's /metrics; at the end it
// prints a report and exits non-zero if a message was lost, pending acks remain, or rooms, live heap or direct
// memory kept growing.
//
//   cd compat && node soak.js            (SOAK_MINUTES=2 node soak.js for a shorter run)
const { io } = require("socket.io-client");
const { startCluster } = require("./test/support/cluster");

const MINUTES = Number(process.env.SOAK_MINUTES || 10);
const CHURNERS = Number(process.env.SOAK_CLIENTS || 60);
const ROOMS = ["r0", "r1", "r2", "r3", "r4"];
const once = (emitter, event, ms = 10000) => new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error(`no ${event}`)), ms);
  emitter.once(event, (...args) => { clearTimeout(timer); resolve(args); });
});

async function metrics(managementPort) {
  const text = await (await fetch(`http://127.0.0.1:${managementPort}/metrics`)).text();
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

async function main() {
  const cluster = await startCluster({ DASHBOARD_INTERVAL: "2000", EVENT_RATE: "1000", EVENT_BURST: "2000" });
  const managementPorts = require("node:fs").readFileSync(`${cluster.runDir}/haproxy.cfg`, "utf8")
    .split("\n").filter((l) => l.includes(" check port ")).map((l) => Number(l.split(" check port ")[1].split(" ")[0]));
  const acked = new Set();
  const delivered = new Map(ROOMS.map((room) => [room, new Set()]));
  const listeners = [];
  for (const room of ROOMS) {
    const listener = io(`${cluster.url}/chat`, { forceNew: true, withCredentials: true, reconnectionDelay: 200 });
    listener.on("connect", () => listener.emit("joinRoom", room));
    listener.on("chatToClient", (m) => delivered.get(m.room).add(m.message));
    await once(listener, "connect");
    listeners.push(listener);
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
  const timer = setInterval(() => sample(`t+${Math.round((MINUTES * 60_000 - (deadline - Date.now())) / 1000)}s`), 30_000);
  await Promise.all(Array.from({ length: CHURNERS }, (_, i) => churner(i)));
  clearInterval(timer);
  await new Promise((r) => setTimeout(r, 5000));
  await sample("end");

  const lost = [...acked].filter((key) => { const [room, message] = key.split("|"); return !delivered.get(room).has(message); });
  const first = samples[0];
  const last = samples[samples.length - 1];
  const report = {
    minutes: MINUTES, churningClients: CHURNERS, connects, messagesAcknowledged: acked.size, lost: lost.length,
    roomsAtStart: first.rooms, roomsAtEnd: last.rooms, acksPendingAtEnd: last.acksPending,
    liveHeapMB: samples.map((s) => Math.round(s.liveHeap / 1e6)), directMemoryMB: samples.map((s) => Math.round(s.direct / 1e6)),
    connectionsAtEnd: last.connections,
  };
  console.log("SOAK REPORT " + JSON.stringify(report));
  listeners.forEach((l) => { l.io.reconnection(false); l.disconnect(); });
  await cluster.stop();
  const middle = samples.slice(1, -1).map((s) => s.liveHeap).filter((v) => v > 0);
  const growing = middle.length > 4 && middle[middle.length - 1] > 1.5 * Math.max(middle[1], 1) + 50e6;
  const failed = lost.length > 0 || last.acksPending > 0 || last.rooms > first.rooms || growing;
  console.log(failed ? "SOAK FAILED" : "SOAK PASSED");
  process.exit(failed ? 1 : 0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
