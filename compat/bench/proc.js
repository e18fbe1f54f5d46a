"use strict";
// What /proc says of a process and of the machine, for the benchmarks' CPU and memory figures.
const fs = require("node:fs");

/**
 * CPU of a process, all its threads: user space (utime: our code, the JIT's output, GC) and kernel (stime), in
 * seconds; its RSS, thread count and open descriptors.
 */
function processStats(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  // utime and stime are in clock ticks of 1/100 s.
  const userSeconds = Number(stat[11]) / 100;
  const systemSeconds = Number(stat[12]) / 100;
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

module.exports = { processStats, machineJiffies };
