"use strict";
// The load generator as several processes (generator-worker.js, one per BENCH_GENERATORS): the subscribers are
// split across them so that no single event loop sets the pace, and their figures are merged here (deliveries
// summed, histograms bucket by bucket, CPU per process).
const { fork } = require("node:child_process");
const os = require("node:os");
const path = require("node:path");
const { ended, stopChild } = require("./children");

// How long a disconnected worker may take to exit before it is stopped by signals.
const WORKER_EXIT_MS = 10000;

/** Resolves once `child` has exited; stops it (stopChild) if it has not after WORKER_EXIT_MS. */
function exitOf(child) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => stopChild(child).then(resolve), WORKER_EXIT_MS);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Default: one process per core, at least two. */
const defaultGenerators = () => Math.max(2, os.availableParallelism ? os.availableParallelism() : os.cpus().length);

class Worker {
  constructor(index, execArgv = [], script = "generator-worker.js") {
    this.index = index;
    this.child = fork(path.join(__dirname, script), [], { stdio: ["ignore", "inherit", "inherit", "ipc"], execArgv });
    this.pending = new Map();
    this.nextId = 0;
    this.child.on("message", ({ id, result, error }) => {
      const pending = this.pending.get(id);
      this.pending.delete(id);
      if (error) pending.reject(new Error(`generator ${index}: ${error}`));
      else pending.resolve(result);
    });
    this.child.on("exit", (code) => {
      for (const pending of this.pending.values()) pending.reject(new Error(`generator ${index} exited (${code})`));
      this.pending.clear();
    });
  }

  call(command, args) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ id, command, args });
    });
  }

  get pid() {
    return this.child.pid;
  }
}

class GeneratorPool {
  /** `script`: the worker (generator-worker.js for bench.js, scale-worker.js for scale.js). */
  constructor(size = defaultGenerators(), execArgv = [], script = undefined) {
    this.workers = Array.from({ length: size }, (_, i) => new Worker(i, execArgv, script));
  }

  get size() {
    return this.workers.length;
  }

  /** Calls every worker with its own arguments (argsOf(worker index)) and resolves to their answers in order. */
  all(command, argsOf = () => ({})) {
    return Promise.all(this.workers.map((worker, i) => worker.call(command, argsOf(i))));
  }

  /**
   * Splits `urls` (one per client) across the workers, client i to worker i % size, so each worker gets a share of
   * every server.
   */
  split(urls) {
    return this.workers.map((_, w) => urls.filter((_, i) => i % this.workers.length === w));
  }

  /**
   * Disconnects every worker (a worker exits when its parent goes: worker-commands.js) and resolves once all have
   * ended; stopChild's SIGTERM, then SIGKILL, for one that does not. A worker that already died (by a signal too) is
   * neither disconnected (that would be an error) nor waited for.
   */
  close() {
    for (const worker of this.workers) if (worker.child.connected) worker.child.disconnect();
    return Promise.all(this.workers.map((worker) => (ended(worker.child) ? null : exitOf(worker.child))));
  }
}

module.exports = { GeneratorPool, defaultGenerators };
