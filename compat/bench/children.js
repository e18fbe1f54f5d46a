"use strict";
// Stopping the processes a benchmark started, whichever way it ends: a normal end, an error, Ctrl-C or a kill.
const os = require("node:os");

/**
 * An "exit" handler runs on process.exit and at the natural end, but not when a signal ends the process: turning
 * SIGINT and SIGTERM into an exit (128 + the signal's number, as a shell reports it) lets the exit handlers stop
 * what was started. Exit handlers must be synchronous (nothing awaited there runs).
 */
function exitOnSignals() {
  for (const signal of ["SIGINT", "SIGTERM"]) {
    process.on(signal, () => process.exit(128 + os.constants.signals[signal]));
  }
}

/** Whether a child process has ended: by its own exit (exitCode), or by a signal (signalCode; exitCode stays null). */
const ended = (child) => child.exitCode !== null || child.signalCode !== null;

/**
 * Asks a child to stop (SIGTERM), kills it (SIGKILL) if it is still there after `graceMs`, and resolves once it has
 * ended; at once for a child that already has (its "exit" was emitted before: waiting for it would never end).
 */
function stopChild(child, graceMs = 30000) {
  if (ended(child)) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/** For exit handlers: SIGKILL to a child that has not ended. */
function killNow(child) {
  if (!ended(child)) child.kill("SIGKILL");
}

/** For exit handlers: SIGKILL to a process known by its pid only (gone already: nothing to do). */
function killPidNow(pid) {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}

module.exports = { exitOnSignals, ended, stopChild, killNow, killPidNow };
