"use strict";
// A lean Socket.IO v4 client over WebSocket (the `ws` package): the Engine.IO/Socket.IO text protocol spoken
// directly, so one process can drive thousands of connections. Handles open, namespace connect, pings, events
// and acks; nothing else (no polling, no binary, no reconnection).
const WebSocket = require("ws");
const { RawWebSocket } = require("./raw-websocket");

class LeanClient {
  /**
   * `options`: extra options of the `ws` client, e.g. `localAddress` (a source address of 127.0.0.0/8); `raw: true`
   * speaks WebSocket on a plain TCP socket instead (`raw-websocket.js`: only `localAddress`), for less CPU per message.
   */
  constructor(url, namespace, { raw = false, ...options } = {}) {
    this.namespace = namespace;
    this.prefix = namespace === "/" ? "" : `${namespace},`;
    this.ackId = 0;
    this.acks = new Map();
    this.handlers = new Map();
    const wsUrl = `${url.replace(/^http/, "ws")}/socket.io/?EIO=4&transport=websocket`;
    this.ws = raw ? new RawWebSocket(wsUrl, options) : new WebSocket(wsUrl, { perMessageDeflate: false, ...options });
    this.connected = new Promise((resolve, reject) => {
      this.ws.on("error", reject);
      this.ws.on("message", (data) => this.onMessage(data.toString(), resolve));
    });
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
        ack(JSON.parse(body.slice(bracket)));
      }
    }
  }

  on(event, handler) {
    this.handlers.set(event, handler);
  }

  emit(event, ...args) {
    this.ws.send(`42${this.prefix}${JSON.stringify([event, ...args])}`);
  }

  emitWithAck(event, ...args) {
    const id = this.ackId++;
    return new Promise((resolve) => {
      this.acks.set(id, resolve);
      this.ws.send(`42${this.prefix}${id}${JSON.stringify([event, ...args])}`);
    });
  }

  close() {
    this.ws.terminate();
  }
}

module.exports = { LeanClient };
