"use strict";
// What /proc says of a process and of the machine, for the benchmarks' CPU and memory figures.
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");

/** Clock ticks per second, the unit of utime and stime in /proc (USER_HZ): getconf's, else Linux's usual 100. */
function clockTicks() {
  try {
    const ticks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim());
    return ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
}

const CLK_TCK = clockTicks();

/**
 * CPU of a process, all its threads: user space (utime: our code, the JIT's output, GC) and kernel (stime), in
 * seconds; its RSS, thread count and open descriptors.
 */
function processStats(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  // utime and stime are in clock ticks (CLK_TCK a second).
  const userSeconds = Number(stat[11]) / CLK_TCK;
  const systemSeconds = Number(stat[12]) / CLK_TCK;
  return {
    userSeconds, systemSeconds, cpuSeconds: userSeconds + systemSeconds,
    rssKb: Number(/VmRSS:\s+(\d+)/.exec(status)[1]), threads: Number(/Threads:\s+(\d+)/.exec(status)[1]),
    openFiles: fs.readdirSync(`/proc/${pid}/fd`).length,
  };
}

/** Busy and total jiffies of the whole machine (all cores), from /proc/stat. */
function machineJiffies() {
  const fields = fs.readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = fields[3] + fields[4];
  const total = fields.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/** A JVM's threads by what they do, from their names (the kernel keeps the first 15 characters). */
const JVM_THREAD_ROLES = [
  ["eventLoops", /^(multiThreadIoEv|epollEventLoop|nioEventLoopGro)/],
  // Lettuce's own threads, and the cluster adapter's (redis-adapter: StreamReader's "stream-reader-<stream>",
  // RedisLink's ClusterWork "socketio-cluster-work", Cluster's "cluster-timers"), cut to 15 characters.
  ["redis", /^(lettuce|stream-reader-|socketio-cluste|cluster-timers)/],
  ["jit", /^(C1 CompilerThre|C2 CompilerThre|Sweeper thread)/],
  ["gc", /^(GC Thread|G1 |VM Thread)/],
];

const ROLES = ["eventLoops", "redis", "jit", "gc", "other"];

// A JVM counts as warm once its compiler threads take less than this share of its CPU over a stretch of the
// measured traffic (bench.js: a warm-up round; scale.js: a broadcast to everyone).
const JIT_QUIET_SHARE = 0.03;

/** CPU seconds (user + kernel) of each live thread of a JVM, by thread id, with its role (eventLoops, redis, jit, gc, other). */
function jvmThreadCpu(pid) {
  const threads = new Map();
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    let comm, stat;
    try {
      comm = fs.readFileSync(`/proc/${pid}/task/${tid}/comm`, "utf8").trim();
      stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8").split(") ")[1].split(" ");
    } catch {
      continue; // the thread ended meanwhile
    }
    threads.set(tid, { role: threadRole(comm), seconds: (Number(stat[11]) + Number(stat[12])) / CLK_TCK });
  }
  return threads;
}

/** The role of a JVM thread by its name (comm, 15 characters at most): eventLoops, redis, jit, gc or other. */
function threadRole(comm) {
  return JVM_THREAD_ROLES.find(([, pattern]) => pattern.test(comm))?.[0] || "other";
}

/**
 * One JVM's CPU between two readings by thread role. A thread's share is its own difference (from zero when it
 * started in between). A thread that is in neither reading's list, or in the first only (the JVM stops idle compiler
 * threads and starts them again, and one may start and end between the readings), has its time in the process's
 * total only: what the total has beyond the listed threads' shares goes to the role of the first reading's threads
 * that ended, when they all had one, and otherwise (several roles, or none ended) to "other", so that the roles
 * always add up to the process's CPU.
 */
function threadSpent(before, after, processSeconds) {
  const spent = Object.fromEntries(ROLES.map((role) => [role, 0]));
  for (const [tid, { role, seconds }] of after) spent[role] += seconds - (before.get(tid)?.seconds || 0);
  const endedRoles = new Set([...before].filter(([tid]) => !after.has(tid)).map(([, thread]) => thread.role));
  const unlisted = processSeconds - ROLES.reduce((total, role) => total + spent[role], 0);
  if (unlisted > 0) spent[endedRoles.size === 1 ? [...endedRoles][0] : "other"] += unlisted;
  return spent;
}

/**
 * What the given processes have used so far: each one's CPU, by thread role when they are JVMs, and Redis's CPU
 * when its pid is given. Two readings make a figure: {@link cpuSpent}.
 */
function cpuReading(pids, { jvm = false, redisPid = null } = {}) {
  return {
    processes: pids.map(processStats),
    threads: jvm ? pids.map(jvmThreadCpu) : null,
    redisSeconds: redisPid ? processStats(redisPid).cpuSeconds : null,
  };
}

/**
 * The CPU used between two readings, over all the processes: seconds in all, in user space and in the kernel;
 * by thread role (JVMs, else null); Redis's seconds (else null).
 */
function cpuSpent(before, after) {
  const sum = (key) => after.processes.reduce((total, stats, i) => total + stats[key] - before.processes[i][key], 0);
  let byThread = null;
  if (after.threads) {
    byThread = Object.fromEntries(ROLES.map((role) => [role, 0]));
    after.threads.forEach((reading, i) => {
      const processSeconds = after.processes[i].cpuSeconds - before.processes[i].cpuSeconds;
      for (const [role, seconds] of Object.entries(threadSpent(before.threads[i], reading, processSeconds))) byThread[role] += seconds;
    });
  }
  return {
    cpuSeconds: sum("cpuSeconds"), userSeconds: sum("userSeconds"), systemSeconds: sum("systemSeconds"), byThread,
    redisSeconds: after.redisSeconds != null ? after.redisSeconds - before.redisSeconds : null,
  };
}

/**
 * A JVM's live heap after a full GC, in KB; RSS alone hides per-connection cost inside an already-grown heap. The
 * heap's lines of GC.heap_info are summed (G1 prints one, the parallel collector one per generation), Metaspace not.
 */
function liveHeapKb(pid) {
  execFileSync("jcmd", [String(pid), "GC.run"]);
  const info = execFileSync("jcmd", [String(pid), "GC.heap_info"], { encoding: "utf8" });
  return info.split("\n").filter((line) => !/^\s*(Metaspace|class space)/.test(line))
    .reduce((total, line) => total + Number(/used (\d+)K/.exec(line)?.[1] || 0), 0);
}

module.exports = { JIT_QUIET_SHARE, processStats, machineJiffies, cpuReading, cpuSpent, threadSpent, threadRole, liveHeapKb };
