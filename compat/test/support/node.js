"use strict";
// Starts a gateway node (conformance mode + the compatibility fixtures) bound to 127.0.0.1 on a free port,
// and stops it when the test is done. The node runs from the gateway module's test classpath.
const { spawn } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");
const readline = require("node:readline");

const moduleDir = process.env.GATEWAY_MODULE_DIR || path.resolve(__dirname, "../../../gateway");

function classpath() {
  const file = path.join(moduleDir, "target", "test-classpath.txt");
  if (!fs.existsSync(file)) {
    throw new Error(`${file} is missing: build the gateway first (mvn -B verify, or mvn -B test-compile -pl gateway -am)`);
  }
  const dependencies = fs.readFileSync(file, "utf8").trim();
  return [path.join(moduleDir, "target", "test-classes"), path.join(moduleDir, "target", "classes"), dependencies]
    .join(path.delimiter);
}

/**
 * Starts a node; `flags` are gateway flags such as "--allowEIO3=true" ("--product" for the real features instead of
 * the conformance fixtures), `env` extra environment variables. Resolves to { url, port, apiUrl, process, stop }.
 */
async function startNode(...flags) {
  const env = typeof flags[flags.length - 1] === "object" ? flags.pop() : {};
  const child = spawn("java", ["-cp", classpath(), "io.realtime.gateway.testing.CompatServerMain", "--port=0", ...flags], {
    stdio: ["pipe", "pipe", "pipe"],
    env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL || "WARN", ...env },
  });
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const exited = new Promise((resolve) => child.on("exit", resolve));
  const ready = new Promise((resolve, reject) => {
    // NODE_START_TIMEOUT_MS: a machine busy with other work may need longer than the default 20 s.
    const startTimeout = Number(process.env.NODE_START_TIMEOUT_MS || 20000);
    const timer = setTimeout(() => reject(new Error(`node did not start within ${startTimeout} ms\n` + stderr)), startTimeout);
    const lines = readline.createInterface({ input: child.stdout });
    lines.on("line", (line) => {
      const match = /^READY (\d+)(?: (\d+))?$/.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve([Number(match[1]), match[2] ? Number(match[2]) : null]);
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`node exited with ${code} before it was ready\n${stderr}`));
    });
  });
  let port, apiPort;
  try {
    [port, apiPort] = await ready;
  } catch (e) {
    // A node that never said READY must not outlive the test: its open pipes would keep this process alive.
    child.kill("SIGKILL");
    await exited;
    throw e;
  }
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    apiUrl: apiPort ? `http://127.0.0.1:${apiPort}` : null,
    process: child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.stdin.end();
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Resolves with the arguments of the first `event` emitted by `emitter`, or rejects after `ms`. */
function once(emitter, event, ms = 5000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no '${event}' within ${ms} ms`)), ms);
    emitter.once(event, (...args) => {
      clearTimeout(timer);
      resolve(args);
    });
  });
}

/**
 * Emits `event` with `args` and resolves with every argument of its ack, or rejects after `ms`: for socket.io-client
 * 2.x, which has no timeout(), and for acks of several arguments (emitWithAck resolves with the first only).
 */
function ackOf(socket, event, args = [], ms = 5000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ack for '${event}' within ${ms} ms`)), ms);
    socket.emit(event, ...args, (...answer) => {
      clearTimeout(timer);
      resolve(answer);
    });
  });
}

/** Polls `predicate` (which may be async) every 20 ms until it is true, or rejects after `ms`. */
async function waitFor(predicate, ms = 5000, what = "condition") {
  const deadline = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Starts several nodes at once, each from the argument list `startNode` takes. If one fails to start, the others are
 * stopped before the failure is thrown, so no node outlives a failed `before`.
 */
async function startNodes(...argumentLists) {
  const started = await Promise.allSettled(argumentLists.map((args) => startNode(...args)));
  const failed = started.find((result) => result.status === "rejected");
  if (failed) {
    await Promise.all(started.filter((result) => result.status === "fulfilled").map((result) => result.value.stop()));
    throw failed.reason;
  }
  return started.map((result) => result.value);
}

module.exports = { startNode, startNodes, once, waitFor, ackOf };
