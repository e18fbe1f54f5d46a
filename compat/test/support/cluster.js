"use strict";
// Runs deploy/local/cluster.sh (Redis, three nodes, haproxy) on free ports of 127.0.0.1 in a temporary run directory.
const { execFile } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { freePorts } = require("./ports");

const script = path.resolve(__dirname, "../../../deploy/local/cluster.sh");

/**
 * Starts the local cluster; resolves to { url, runDir, nodeIds, pidOf(nodeId), apiUrlOf(nodeId), restore(), stop() }.
 * `extraEnv` are gateway settings.
 */
async function startCluster(extraEnv = {}) {
  const ports = await freePorts(8);
  const env = {
    ...process.env,
    RUN_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "local-cluster-")),
    LB_PORT: String(ports[0]),
    NODE_PORTS: ports.slice(1, 4).join(" "),
    MANAGEMENT_PORTS: ports.slice(4, 7).join(" "),
    REDIS_PORT: String(ports[7]),
    LOG_LEVEL: "WARN",
    ...extraEnv,
  };
  const run = (command) => new Promise((resolve, reject) => {
    execFile("bash", [script, command], { env, timeout: 120000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`${command}: ${error.message}\n${stdout}\n${stderr}`)) : resolve(stdout));
  });
  try {
    await run("up");
  } catch (e) {
    // Whatever "up" started before it failed (Redis, some nodes, haproxy) must not outlive the test.
    await run("down").catch(() => {});
    fs.rmSync(env.RUN_DIR, { recursive: true, force: true });
    throw e;
  }
  return {
    url: `http://127.0.0.1:${ports[0]}`,
    runDir: env.RUN_DIR,
    nodeIds: ["node-1", "node-2", "node-3"],
    /** The node's management port: health, metrics and the backend API (loopback callers need no key). */
    apiUrlOf: (nodeId) => `http://127.0.0.1:${ports[4 + Number(nodeId.slice("node-".length)) - 1]}`,
    pidOf: (nodeId) => Number(fs.readFileSync(path.join(env.RUN_DIR, `${nodeId}.pid`), "utf8").trim()),
    /** Starts again whatever is not running (a node a test stopped). */
    restore: () => run("up"),
    stop: async () => {
      await run("down");
      fs.rmSync(env.RUN_DIR, { recursive: true, force: true });
    },
  };
}

/** Resolves once the process `pid` has exited. */
async function exited(pid, ms = 15000) {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    if (Date.now() > deadline) throw new Error(`process ${pid} still running after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

module.exports = { startCluster, exited };
