"use strict";
// The one clock of the load generator's processes: process.hrtime is libuv's uv_hrtime, i.e. Linux's
// CLOCK_MONOTONIC, whose epoch (boot) and rate are the kernel's and so the same in every process of the machine.
// A send time read in the publisher's process and a receive time read in a subscriber's process can therefore be
// subtracted directly, with no offset to estimate (performance.timeOrigin + performance.now() would carry each
// process's error in reading the wall clock at its start), and it never steps under NTP. As milliseconds in a
// double it keeps sub-microsecond precision for years of uptime.
const now = () => Number(process.hrtime.bigint()) / 1e6;

module.exports = { now };
