"use strict";
// One process of the reconnect-storm generator (storm.js forks it): lean clients that reconnect as the official
// socket.io-client does by default (Manager: reconnectionDelay 1000, reconnectionDelayMax 5000,
// randomizationFactor 0.5, the delay doubling per failed attempt and reset by a successful one), each rejoining its
// room after every reconnection. Records, per client, when it was cut off and when it was back in its room, and
// every refused or failed attempt (HTTP status of a refused handshake, else the error code).
const { LeanClient } = require("./lean-client");
const { now } = require("./clock");
const { serveCommands } = require("./worker-commands");

const DELAY = 1000;
const DELAY_MAX = 5000;
const JITTER = 0.5;

/** socket.io-client's Backoff.duration(), attempt counted from 0. */
function backoff(attempt) {
  let ms = DELAY * 2 ** attempt;
  const rand = Math.random();
  const deviation = Math.floor(rand * JITTER * ms);
  ms = (Math.floor(rand * 10) & 1) === 0 ? ms - deviation : ms + deviation;
  return Math.min(ms, DELAY_MAX) | 0;
}

const refusals = {};
const count = (key) => (refusals[key] = (refusals[key] || 0) + 1);

class ReconnectingClient {
  constructor(url, namespace, room, localAddress) {
    Object.assign(this, { url, namespace, room, localAddress });
    this.attempt = 0;
    this.cutAt = null;
    this.backAt = null;
    this.node = null;
    this.stopped = false;
    this.onBroadcast = null;
  }

  /** Resolves once connected and in its room (the first time); later cuts reconnect by themselves. */
  open() {
    return new Promise((resolve, reject) => {
      this.resolveOpen = resolve;
      this.rejectOpen = reject;
      this.connect();
    });
  }

  connect() {
    const client = new LeanClient(this.url, this.namespace, { localAddress: this.localAddress });
    this.client = client;
    client.ws.on("upgrade", (response) => {
      const cookie = String(response.headers["set-cookie"] || "");
      this.node = /SRV=([^;]+)/.exec(cookie)?.[1] || null;
    });
    client.ws.on("close", () => this.onClose(client));
    client.connected
      .then(() => client.emitWithAck("joinRoom", this.room))
      .then(() => {
        if (client !== this.client) return;
        this.attempt = 0;
        client.on("storm", (data) => this.onBroadcast?.(data));
        if (this.cutAt != null && this.backAt == null) this.backAt = now();
        if (this.resolveOpen) this.resolveOpen(this), (this.resolveOpen = null);
      })
      .catch((error) => {
        const status = /Unexpected server response: (\d+)/.exec(error.message)?.[1];
        count(status ? `http_${status}` : error.code || error.message.slice(0, 60));
        client.ws.terminate();
      });
  }

  onClose(client) {
    if (client !== this.client || this.stopped || client.closedSeen) return;
    client.closedSeen = true;
    if (this.cutAt == null && this.armed) this.cutAt = now();
    if (this.resolveOpen && this.attempt >= 3) return this.rejectOpen(new Error("could not connect"));
    setTimeout(() => this.connect(), backoff(this.attempt++));
  }

  close() {
    this.stopped = true;
    this.client.close();
  }
}

const clients = [];

/** Opens `count` clients to `url`, client i from source address addresses[i % addresses.length]. */
async function connect({ url, count, namespace, room, addresses, window }) {
  const started = now();
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const i = next++;
      clients.push(await new ReconnectingClient(url, namespace, room, addresses[i % addresses.length]).open());
    }
  };
  await Promise.all(Array.from({ length: window }, lane));
  return { connected: clients.length, started, ended: now(), nodes: byNode(), refusals: { ...refusals } };
}

function byNode() {
  const nodes = {};
  for (const client of clients) nodes[client.node] = (nodes[client.node] || 0) + 1;
  return nodes;
}

/** From now on, a client's cut and return are recorded (once). */
function arm() {
  for (const key of Object.keys(refusals)) delete refusals[key];
  for (const client of clients) Object.assign(client, { armed: true, cutAt: null, backAt: null });
  return {};
}

/** Waits (at most waitMs) for every cut client to be back in its room; returns the times (ms on clock.js). */
async function collect({ waitMs }) {
  const deadline = now() + waitMs;
  const pending = () => clients.filter((c) => c.cutAt != null && c.backAt == null).length;
  while ((pending() > 0 || clients.every((c) => c.cutAt == null)) && now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const cut = clients.filter((c) => c.cutAt != null);
  return {
    clients: clients.length, cut: cut.length, back: cut.filter((c) => c.backAt != null).length,
    cutAt: cut.map((c) => c.cutAt), backAt: cut.filter((c) => c.backAt != null).map((c) => c.backAt),
    nodes: byNode(), refusals: { ...refusals },
  };
}

/**
 * Waits (at most waitMs) until every client has heard the broadcast `n`: counts the clients that heard it (each
 * once, so that one client's second copy cannot stand in for another's missing one) and, apart, the extra copies.
 */
async function hear({ n, waitMs }) {
  const heardBy = new Set();
  let duplicates = 0;
  for (const client of clients) {
    client.onBroadcast = (data) => {
      if (data.n !== n) return;
      if (heardBy.has(client)) duplicates++;
      else heardBy.add(client);
    };
  }
  return {
    ready: true,
    done: (async () => {
      const deadline = now() + waitMs;
      while (heardBy.size < clients.length && now() < deadline) await new Promise((r) => setTimeout(r, 10));
      return { heard: heardBy.size, duplicates };
    })(),
  };
}

let hearing = null;
async function listen(args) {
  hearing = await hear(args);
  return {};
}

async function heard() {
  return { ...(await hearing.done), clients: clients.length };
}

function close() {
  clients.forEach((client) => client.close());
  clients.length = 0;
  return {};
}

const commands = { connect, arm, collect, listen, heard, close };

serveCommands(commands);
