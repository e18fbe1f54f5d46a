"use strict";
const { freeListenPorts } = require("./ports");
// Redis for the tests: REDIS_URL when set, else a redis-server started on a free port of 127.0.0.1 (and stopped).
const { spawn } = require("node:child_process");
const net = require("node:net");


function ping(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.on("connect", () => socket.write("PING\r\n"));
    socket.on("data", (data) => {
      socket.destroy();
      resolve(data.toString().startsWith("+PONG"));
    });
    socket.on("error", () => resolve(false));
  });
}

async function startRedis() {
  if (process.env.REDIS_URL) return { url: process.env.REDIS_URL, pid: null, async stop() {} };
  // The port was free when picked but may be taken before redis-server binds it: then it exits, and another is tried.
  for (let attempt = 1; ; attempt++) {
    const [port] = await freeListenPorts(1);
    const redis = await startRedisOn(port);
    if (redis) return redis;
    if (attempt === 3) throw new Error("redis-server did not start (is it installed?)");
  }
}

/** A redis-server on `port`, or null when it exited or did not answer within 10 s (it is then stopped). */
async function startRedisOn(port) {
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
    stdio: "ignore",
  });
  const exited = new Promise((resolve) => child.on("exit", resolve));
  child.on("error", () => {});
  // SIGTERM first (Redis exits at once without persistence), SIGKILL if it is still there after 5 s.
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + 10000;
  while (!(await ping(port))) {
    if (Date.now() > deadline || child.exitCode !== null || child.signalCode !== null) {
      await stop();
      return null;
    }
    await new Promise((r) => setTimeout(r, 30));
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    // For benchmarks that measure what Redis spends.
    pid: child.pid,
    stop,
  };
}

module.exports = { startRedis };
