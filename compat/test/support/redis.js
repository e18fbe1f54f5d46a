"use strict";
const { freePort } = require("./ports");
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
  const port = await freePort();
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
    stdio: "ignore",
  });
  const exited = new Promise((resolve) => child.on("exit", resolve));
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
    if (Date.now() > deadline || child.exitCode !== null) {
      await stop();
      throw new Error("redis-server did not start (is it installed?)");
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
