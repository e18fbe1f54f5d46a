"use strict";
// One process of the connection-scale generator (scale.js forks it): opens its share of lean WebSocket clients,
// a bounded number at a time, joins each to its room, and records when each receives the broadcast. Answers the
// parent's commands over IPC. Times are read from clock.js, the clock the parent stamps the broadcast with.
const { LeanClient } = require("./lean-client");
const { Histogram } = require("./histogram");
const { now } = require("./clock");
const { monitorEventLoopDelay } = require("node:perf_hooks");
const { serveCommands } = require("./worker-commands");

// How late this process's event loop ran: a late loop answers the server's pings late.
const loopDelay = monitorEventLoopDelay({ resolution: 20 });
loopDelay.enable();

const clients = [];
let disconnected = 0;
const closes = { first: null, last: null, codes: {} };
let received = 0;
let lastAt = null;
let histogram = new Histogram();
// The number (`n`) of the broadcast being collected: set by arm.
let armedN = null;

function onBroadcast(data) {
  const at = now();
  // A late copy of an earlier broadcast (a client that fell behind) must not count towards this one.
  if (data.n !== armedN) return;
  received++;
  lastAt = at;
  histogram.record(at - data.t);
}

/** Runs `task(i)` for i in [0, count) with at most `window` in flight, starting none after `deadline` (clock.js). */
async function bounded(count, window, task, deadline = Infinity) {
  let next = 0;
  const lane = async () => {
    while (next < count && now() < deadline) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(window, count) }, lane));
}

/** Opens one client per url (retrying a refused or reset one up to 3 times); figures for the connect rate. */
async function connect({ urls, namespace, window, addresses = [undefined], deadline, raw = false }) {
  const started = now();
  let failed = 0;
  let retried = 0;
  const errors = {};
  await bounded(urls.length, window, async (i) => {
    for (let attempt = 0; ; attempt++) {
      try {
        const client = await new LeanClient(urls[i], namespace, { localAddress: addresses[i % addresses.length], raw }).connected;
        client.ws.on("close", (code) => {
          if (client.closing) return;
          disconnected++;
          closes.first ??= now();
          closes.last = now();
          closes.codes[code] = (closes.codes[code] || 0) + 1;
        });
        client.on("scale", onBroadcast);
        clients.push(client);
        return;
      } catch (error) {
        const key = error.code || error.message.slice(0, 60);
        errors[key] = (errors[key] || 0) + 1;
        if (attempt === 3) return failed++;
        retried++;
        await new Promise((r) => setTimeout(r, 200 * (attempt + 1)));
      }
    }
  }, deadline ?? Infinity);
  return { connected: clients.length, failed, retried, errors, started, ended: now(), rssMb: Math.round(process.memoryUsage().rss / 2 ** 20) };
}

/**
 * Joins client i to rooms[i] (the room names the parent chose), with acks; an ack not back within the lean client's
 * ack timeout (30 s), or a connection closed before it came, is a failure.
 */
async function join({ rooms, window }) {
  const started = now();
  let failed = 0;
  await bounded(clients.length, window, (i) => clients[i].ws.readyState !== 1 ? failed++
    : clients[i].emitWithAck("joinRoom", rooms[i]).catch(() => failed++));
  return { joined: clients.length - failed, failed, started, ended: now() };
}

/** From now on, copies of broadcast `n` are counted (and only those). */
function arm({ n }) {
  armedN = n;
  received = 0;
  lastAt = null;
  histogram = new Histogram();
  return {};
}

/** Waits (at most waitMs) until every client of this process has the broadcast. */
async function collect({ waitMs }) {
  const deadline = now() + waitMs;
  while (received < clients.length && now() < deadline) await new Promise((r) => setTimeout(r, 5));
  return { received, expected: clients.length, lastAt, histogram: histogram.toJSON(), disconnected };
}

function stats() {
  const memory = process.memoryUsage();
  return { clients: clients.length, disconnected, closes, rssMb: Math.round(memory.rss / 2 ** 20), heapUsedMb: Math.round(memory.heapUsed / 2 ** 20),
    loopDelayMs: { p99: Math.round(loopDelay.percentile(99) / 1e6), max: Math.round(loopDelay.max / 1e6) } };
}

function close() {
  clients.forEach((client) => {
    client.closing = true;
    client.close();
  });
  clients.length = 0;
  return {};
}

const commands = { connect, join, arm, collect, stats, close };

serveCommands(commands);
