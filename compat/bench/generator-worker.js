"use strict";
// One process of the load generator (started by generator.js with fork): it holds its share of the lean clients,
// records what they receive (deliveries.js: each message once per subscriber, latencies in its own histogram,
// duplicates apart) and answers the parent's commands over IPC. Latency is receive time minus the send time the
// publisher wrote into the payload (when the message fell due: bench.js, sendStamp), both on one clock (clock.js).
const { LeanClient } = require("./lean-client");
const { SeqSet, Deliveries } = require("./deliveries");
const { now } = require("./clock");
const { serveCommands } = require("./worker-commands");

let clients = [];
let deliveries = new Deliveries();
let measuring = null;

/** A client's broadcasts go to the step's figures (whichever `deliveries` is current when they arrive). */
function subscribe(client) {
  client.seen = new SeqSet();
  client.on("chatToClient", (message) => deliveries.record(client.seen, message.message));
}

async function connect({ urls, namespace, room, batch = 50, raw = false }) {
  const added = [];
  for (let i = 0; i < urls.length; i += batch) {
    const connecting = urls.slice(i, i + batch).map((url) => new LeanClient(url, namespace, { raw }).connected);
    added.push(...(await Promise.all(connecting)));
  }
  clients.push(...added);
  if (room) await Promise.all(added.map((client) => client.emitWithAck("joinRoom", room)));
  added.forEach(subscribe);
  return { clients: clients.length };
}

function start() {
  deliveries = new Deliveries();
  // Sequence numbers start from 0 again in every step.
  clients.forEach((client) => (client.seen = new SeqSet()));
  measuring = { cpu: process.cpuUsage(), started: now() };
  return {};
}

/**
 * Waits (at most waitMs) until each client has `sent` messages (first copies only: a duplicate does not end the
 * wait), then reports what was received, the CPU used and the seconds that CPU reading covers (from start).
 */
async function stop({ sent, waitMs }) {
  const expected = sent * clients.length;
  const deadline = now() + waitMs;
  while (deliveries.delivered < expected && now() < deadline) await new Promise((r) => setTimeout(r, 10));
  const cpu = process.cpuUsage(measuring.cpu);
  return { delivered: deliveries.delivered, duplicates: deliveries.duplicates, histogram: deliveries.histogram.toJSON(),
    cpuUserSeconds: cpu.user / 1e6, cpuSystemSeconds: cpu.system / 1e6, seconds: (now() - measuring.started) / 1000 };
}

/** Parallel acks: each client sends `perClient` events in sequence; reports when the first began and the last ended. */
async function acks({ perClient }) {
  const cpu = process.cpuUsage();
  const started = now();
  await Promise.all(clients.map(async (client) => { for (let i = 0; i < perClient; i++) await client.emitWithAck("events", i); }));
  const used = process.cpuUsage(cpu);
  return { started, ended: now(), acks: clients.length * perClient, cpuSeconds: (used.user + used.system) / 1e6 };
}

function close() {
  clients.forEach((client) => client.close());
  clients = [];
  return {};
}

const commands = { connect, start, stop, acks, close };

serveCommands(commands);
