"use strict";
// One process of the load generator (started by generator.js with fork): it holds its share of the lean clients,
// records what they receive in its own histogram and answers the parent's commands over IPC. Latency is receive
// time minus the send time the publisher wrote into the payload, both read from the same clock (clock.js).
const { LeanClient } = require("./lean-client");
const { Histogram } = require("./histogram");
const { now } = require("./clock");
const { serveCommands } = require("./worker-commands");

let clients = [];
let histogram = new Histogram();
let delivered = 0;
let measuring = null;

function onMessage(message) {
  delivered++;
  histogram.record(now() - JSON.parse(message.message).t);
}

async function connect({ urls, namespace, room, batch = 50, raw = false }) {
  for (let i = 0; i < urls.length; i += batch) {
    const connecting = urls.slice(i, i + batch).map((url) => new LeanClient(url, namespace, { raw }).connected);
    clients.push(...(await Promise.all(connecting)));
  }
  if (room) await Promise.all(clients.map((client) => client.emitWithAck("joinRoom", room)));
  clients.forEach((client) => client.on("chatToClient", onMessage));
  return { clients: clients.length };
}

function start() {
  histogram = new Histogram();
  delivered = 0;
  measuring = { cpu: process.cpuUsage(), started: now() };
  return {};
}

/** Waits (at most waitMs) until each client has `sent` messages, then reports what was received and the CPU used. */
async function stop({ sent, waitMs }) {
  const expected = sent * clients.length;
  const deadline = now() + waitMs;
  while (delivered < expected && now() < deadline) await new Promise((r) => setTimeout(r, 10));
  const cpu = process.cpuUsage(measuring.cpu);
  return { delivered, histogram: histogram.toJSON(), cpuUserSeconds: cpu.user / 1e6, cpuSystemSeconds: cpu.system / 1e6 };
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
