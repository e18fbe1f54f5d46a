"use strict";
// Clients other than socket.io-client 4, behind one small interface so that one checklist
// (./client-checklist.js) runs against each. Values cross it in JSON, bytes as {"$bytes": "<base64>"}.
//
//   connect({ url, transports, token, namespaces, reconnection }) -> { sid, transport }
//   call(event, args, namespace) -> the ack's arguments      emit(event, args, namespace)
//   next(event, namespace, ms) -> the next event's arguments  clear(event, namespace)
//   state() -> { sid, transport }   connected(namespace, ms)   disconnected(ms)   disconnect()   close()
const { spawn } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");
const readline = require("node:readline");
const ioV2 = require("socket.io-client-v2");

/** Upper bound for an ack: generous, for a node just restarted (its JIT cold) on a busy machine. */
const ACK_MS = 10000;

/** Debian's interpreter, where python3-socketio is installed (a pyenv or venv python3 earlier on PATH lacks it). */
const PYTHON = process.env.PYTHON || (fs.existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3");

/** python-socketio, in a child process (compat/clients/python/driver.py) that answers one command per line. */
function pythonClient() {
  const child = spawn(PYTHON, [path.join(__dirname, "..", "..", "clients", "python", "driver.py")], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
    if (process.env.DRIVER_DEBUG) process.stderr.write(chunk);
  });
  const pending = new Map();
  let nextId = 1;
  readline.createInterface({ input: child.stdout }).on("line", (line) => {
    const answer = JSON.parse(line);
    const request = pending.get(answer.id);
    pending.delete(answer.id);
    if (answer.error) request.reject(new Error(`python-socketio ${request.op}: ${answer.error}`));
    else request.resolve(answer.result);
  });
  const exited = new Promise((resolve) => child.on("exit", resolve));
  child.on("exit", (code) => {
    for (const request of pending.values()) request.reject(new Error(`driver.py exited with ${code}\n${stderr}`));
    pending.clear();
  });
  const request = (op, args = {}) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { op, resolve, reject });
      child.stdin.write(JSON.stringify({ id, op, ...args }) + "\n");
    });
  const seconds = (ms) => ms / 1000;
  return {
    name: "python-socketio",
    connect: ({ url, transports, token, namespaces, reconnection }) =>
      request("connect", { url, transports, auth: { token }, namespaces, reconnection }),
    call: (event, args, namespace = "/") => request("call", { event, args, namespace, timeout: ACK_MS / 1000 }),
    emit: (event, args, namespace = "/") => request("emit", { event, args, namespace }),
    next: (event, namespace = "/", ms = 5000) => request("next", { event, namespace, timeout: seconds(ms) }),
    clear: (event, namespace = "/") => request("clear", { event, namespace }),
    state: () => request("state"),
    connected: (namespace = "/", ms = 5000) => request("connected", { namespace, timeout: seconds(ms) }),
    disconnected: (ms = 5000) => request("disconnected", { timeout: seconds(ms) }),
    disconnect: () => request("disconnect"),
    async close() {
      child.stdin.end();
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

const toWire = (value) => {
  if (Buffer.isBuffer(value) || value instanceof ArrayBuffer) return { $bytes: Buffer.from(value).toString("base64") };
  if (Array.isArray(value)) return value.map(toWire);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toWire(v)]));
  return value;
};

const fromWire = (value) => {
  if (Array.isArray(value)) return value.map(fromWire);
  if (value && typeof value === "object") {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === "$bytes") return Buffer.from(value.$bytes, "base64");
    return Object.fromEntries(keys.map((k) => [k, fromWire(value[k])]));
  }
  return value;
};

/** A queue per event name of a socket, so that `next` gets events in their order of arrival. */
function recorder(socket) {
  const queues = new Map();
  const waiters = new Map();
  const record = (event, args) => {
    const waiting = waiters.get(event);
    if (waiting && waiting.length) waiting.shift()(args);
    else (queues.get(event) || queues.set(event, []).get(event)).push(args);
  };
  // socket.io-client 2.x has no onAny: wrap onevent, which every incoming event goes through.
  const onevent = socket.onevent;
  socket.onevent = function (packet) {
    record(packet.data[0], packet.data.slice(1));
    return onevent.call(this, packet);
  };
  return {
    next(event, ms) {
      const queued = queues.get(event);
      if (queued && queued.length) return Promise.resolve(queued.shift());
      return new Promise((resolve, reject) => {
        const list = waiters.get(event) || waiters.set(event, []).get(event);
        const timer = setTimeout(() => {
          list.splice(list.indexOf(settle), 1);
          reject(new Error(`no '${event}' within ${ms} ms`));
        }, ms);
        const settle = (args) => {
          clearTimeout(timer);
          resolve(args);
        };
        list.push(settle);
      });
    },
    clear: (event) => queues.delete(event),
  };
}

/** Resolves when `emitter` emits `event` (or already satisfies `ready`), or rejects after `ms`. */
function whenEvent(emitter, event, ms, ready = () => false) {
  if (ready()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no '${event}' within ${ms} ms`)), ms);
    emitter.once(event, () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * socket.io-client 2.x (Engine.IO v3). It has no auth payload: its token goes in the query string, which the node
 * takes as the namespace's auth (README, "Authentication").
 */
function v2Client() {
  const sockets = new Map();
  const recorders = new Map();
  let manager;
  let disconnects = 0;
  let seenDisconnects = 0;
  const socketOf = (namespace) => {
    const socket = sockets.get(namespace);
    if (!socket) throw new Error(`not connected to ${namespace}`);
    return socket;
  };
  const state = () => ({ sid: sockets.get("/").id, transport: manager.engine && manager.engine.transport.name });
  return {
    name: "socket.io-client 2.x",
    tokenInQuery: true,
    async connect({ url, transports, token, namespaces = ["/"], reconnection }) {
      const options = {
        transports, query: { token }, forceNew: true, reconnection, upgrade: transports.includes("websocket"),
        reconnectionDelay: 100, reconnectionDelayMax: 300, randomizationFactor: 0,
      };
      const main = ioV2(url, options);
      manager = main.io;
      for (const namespace of namespaces) {
        const socket = namespace === "/" ? main : manager.socket(namespace, { query: { token } });
        sockets.set(namespace, socket);
        recorders.set(namespace, recorder(socket));
        if (namespace === "/") socket.on("disconnect", () => disconnects++);
      }
      await Promise.all([...sockets.values()].map((socket) => whenEvent(socket, "connect", 5000, () => socket.connected)));
      return state();
    },
    async call(event, args, namespace = "/") {
      const socket = socketOf(namespace);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ack for '${event}' within ${ACK_MS} ms`)), ACK_MS);
        socket.emit(event, ...fromWire(args), (...answer) => {
          clearTimeout(timer);
          resolve(toWire(answer));
        });
      });
    },
    async emit(event, args, namespace = "/") {
      socketOf(namespace).emit(event, ...fromWire(args));
    },
    next: async (event, namespace = "/", ms = 5000) => toWire(await recorders.get(namespace).next(event, ms)),
    clear: async (event, namespace = "/") => recorders.get(namespace).clear(event),
    state: async () => state(),
    async connected(namespace = "/", ms = 5000) {
      const socket = socketOf(namespace);
      await whenEvent(socket, "connect", ms, () => socket.connected);
      return state();
    },
    async disconnected(ms = 5000) {
      await whenEvent(socketOf("/"), "disconnect", ms, () => disconnects > seenDisconnects);
      seenDisconnects = disconnects;
    },
    async disconnect() {
      socketOf("/").close();
    },
    async close() {
      for (const socket of sockets.values()) socket.close();
      if (manager) manager.close();
    },
  };
}

module.exports = { pythonClient, v2Client, toWire, fromWire };
