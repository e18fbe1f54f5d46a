"use strict";
// A lean Socket.IO v4 client over WebSocket (the `ws` package): the Engine.IO/Socket.IO text protocol spoken
// directly, so one process can drive thousands of connections. Handles open, namespace connect, pings, events
// and acks; nothing else (no polling, no binary, no reconnection).
const WebSocket = require("ws");
const { RawWebSocket } = require("./raw-websocket");

// How long an ack may take by default: far beyond any ack of a healthy run, so that only a lost ack (a dropped
// message or connection) reaches it and the run fails with an error instead of waiting forever.
const ACK_TIMEOUT_MS = 30000;

/** An error with a `code` (callers count failed attempts by it) and the address it concerns. */
function failure(code, message, url) {
  return Object.assign(new Error(`${message} (${url})`), { code });
}

class LeanClient {
  /**
   * `options`: extra options of the `ws` client, e.g. `localAddress` (a source address of 127.0.0.0/8); `raw: true`
   * speaks WebSocket on a plain TCP socket instead (`raw-websocket.js`: only `localAddress`), for less CPU per message;
   * `ackTimeoutMs`: how long emitWithAck waits before it rejects (ACK_TIMEOUT_MS by default).
   */
  constructor(url, namespace, { raw = false, ackTimeoutMs = ACK_TIMEOUT_MS, ...options } = {}) {
    this.url = url;
    this.namespace = namespace;
    this.prefix = namespace === "/" ? "" : `${namespace},`;
    this.ackTimeoutMs = ackTimeoutMs;
    this.ackId = 0;
    this.acks = new Map();
    this.handlers = new Map();
    this.closeCode = null;
    this.expiring = null;
    const wsUrl = `${url.replace(/^http/, "ws")}/socket.io/?EIO=4&transport=websocket`;
    this.ws = raw ? new RawWebSocket(wsUrl, options) : new WebSocket(wsUrl, { perMessageDeflate: false, ...options });
    this.connected = new Promise((resolve, reject) => {
      this.ws.on("error", reject);
      // A connection closed before the namespace answered (without an error: a server that hangs up) must fail the
      // waiting caller, not leave it waiting; once connected, rejecting is a no-op.
      const closed = (code) => failure("CLOSED_BEFORE_CONNECT", `closed (${code}) before ${namespace} connected`, url);
      this.ws.on("close", (code) => reject(closed(code)));
      this.ws.on("message", (data) => this.onMessage(data.toString(), resolve));
    });
    this.ws.on("close", (code) => this.onClose(code));
  }

  onMessage(text, resolve) {
    if (text === "2") return this.ws.send("3");
    if (text[0] === "0") return this.ws.send(`40${this.prefix}`);
    if (text.startsWith(`40${this.prefix}`)) return resolve(this);
    if (text.startsWith(`42${this.prefix}`)) {
      const [event, ...args] = JSON.parse(text.slice(2 + this.prefix.length));
      const handler = this.handlers.get(event);
      if (handler) handler(...args);
    } else if (text.startsWith(`43${this.prefix}`)) {
      const body = text.slice(2 + this.prefix.length);
      const bracket = body.indexOf("[");
      const id = Number(body.slice(0, bracket));
      const ack = this.acks.get(id);
      if (ack) {
        this.acks.delete(id);
        ack.resolve(JSON.parse(body.slice(bracket)));
      }
    }
  }

  /** The acks still waiting can no longer come: each fails now rather than at its timeout. */
  onClose(code) {
    this.closeCode = code;
    this.stopExpiring();
    for (const [id, ack] of this.acks) {
      this.acks.delete(id);
      ack.reject(failure("ACK_CLOSED", `closed (${code}) with the ack of "${ack.event}" pending`, this.url));
    }
  }

  on(event, handler) {
    this.handlers.set(event, handler);
  }

  emit(event, ...args) {
    this.ws.send(`42${this.prefix}${JSON.stringify([event, ...args])}`);
  }

  /** Resolves with the ack's arguments; rejects when the connection closes first or after `ackTimeoutMs`. */
  emitWithAck(event, ...args) {
    if (this.closeCode !== null) {
      return Promise.reject(failure("ACK_CLOSED", `closed (${this.closeCode}) before "${event}" was sent`, this.url));
    }
    const id = this.ackId++;
    return new Promise((resolve, reject) => {
      // Sent first: a send that throws rejects with nothing left behind (the ack cannot arrive before this returns).
      this.ws.send(`42${this.prefix}${id}${JSON.stringify([event, ...args])}`);
      this.acks.set(id, { event, resolve, reject, sentAt: Date.now() });
      this.expireAcksLater();
    });
  }

  /**
   * One timer per client, once a second while acks wait, rather than one per ack: the parallel-ack measurement sends
   * tens of thousands a second, and a timer each would cost the generator as much as the acks themselves.
   */
  expireAcksLater() {
    if (this.expiring) return;
    this.expiring = setInterval(() => {
      const late = Date.now() - this.ackTimeoutMs;
      // Acks are kept in the order they were sent: the first one still young ends the search.
      for (const [id, ack] of this.acks) {
        if (ack.sentAt > late) break;
        this.acks.delete(id);
        ack.reject(failure("ACK_TIMEOUT", `no ack of "${ack.event}" within ${this.ackTimeoutMs} ms`, this.url));
      }
      if (this.acks.size === 0) this.stopExpiring();
    }, Math.min(1000, this.ackTimeoutMs));
    this.expiring.unref();
  }

  stopExpiring() {
    clearInterval(this.expiring);
    this.expiring = null;
  }

  close() {
    this.ws.terminate();
  }
}

module.exports = { LeanClient, ACK_TIMEOUT_MS };
