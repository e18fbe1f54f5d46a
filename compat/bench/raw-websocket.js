"use strict";
// A WebSocket client (RFC 6455) straight on a TCP socket, for the connection-scale generator: unfragmented text,
// close and ping frames, no extensions, which is all the lean client's Socket.IO traffic uses. `ws` passes every
// message through a stream and emitters of its own; with 100,000 connections on two cores the generator's CPU per
// message decides how soon the machine has delivered a broadcast to everyone, so this reads the frames straight
// from the socket's chunks. The part of `ws`'s interface the lean client uses: the events open, message (a
// Buffer, valid only during the event), close (the code) and error, send(text), terminate() and readyState.
const crypto = require("node:crypto");
const { EventEmitter } = require("node:events");
const net = require("node:net");

const CONNECTING = 0;
const OPEN = 1;
const CLOSED = 3;
const ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const TEXT = 0x1;
const CLOSE = 0x8;
const PING = 0x9;
const PONG = 0xa;

// The read buffer of every RawWebSocket of this process (see the constructor); a read takes at most its size.
const readBuffer = Buffer.allocUnsafe(64 * 1024);

class RawWebSocket extends EventEmitter {
  /** `url`: ws://host:port/path?query; `localAddress`: the source address to bind (127.0.0.0/8 in the benchmarks). */
  constructor(url, { localAddress } = {}) {
    super();
    const { hostname, port, pathname, search } = new URL(url);
    this.readyState = CONNECTING;
    // Bytes of the handshake's answer or of a frame not complete yet.
    this.pending = null;
    const key = crypto.randomBytes(16).toString("base64");
    this.expectedAccept = crypto.createHash("sha1").update(key + ACCEPT_GUID).digest("base64");
    // Every socket reads into the one buffer of the process and hands the bytes over at once: no buffer per read and
    // no stream machinery (`readable.push`, the 'data' event) per message. So what a chunk holds is valid only until
    // the callback returns: a partial frame left over is copied, and 'message' listeners read their Buffer at once.
    this.socket = net.connect({ host: hostname, port: Number(port), localAddress,
      onread: { buffer: readBuffer, callback: (length, buffer) => this.onChunk(buffer.subarray(0, length)) } });
    this.socket.setNoDelay(true);
    this.socket.on("connect", () => this.socket.write(`GET ${pathname}${search} HTTP/1.1\r\nHost: ${hostname}:${port}\r\n`
      + `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`));
    this.socket.on("error", (error) => {
      // After a close (a reset as the server drops its end) there is nobody left to tell.
      if (this.readyState === CLOSED) return;
      this.emit("error", error);
      // One error for a connection that failed before its handshake: the socket's close that follows says nothing new.
      if (this.readyState === CONNECTING) this.closed(1006);
    });
    this.socket.on("close", () => {
      if (this.readyState === CONNECTING) this.emit("error", new Error("connection closed before the handshake was answered"));
      this.closed(1006);
    });
  }

  onChunk(chunk) {
    if (this.readyState === OPEN) this.onFrames(chunk);
    else if (this.readyState === CONNECTING) this.onAnswer(chunk);
  }

  /** The handshake's answer: 101 with the right accept key, then (perhaps in the same chunk) the first frames. */
  onAnswer(chunk) {
    const buffer = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    const end = buffer.indexOf("\r\n\r\n");
    if (end < 0) {
      this.pending = Buffer.from(buffer);
      return;
    }
    this.pending = null;
    const head = buffer.toString("latin1", 0, end);
    const accept = /\r\nsec-websocket-accept:\s*(\S+)/i.exec(head)?.[1];
    if (!head.startsWith("HTTP/1.1 101") || accept !== this.expectedAccept) {
      this.emit("error", new Error(`unexpected handshake answer: ${head.split("\r\n")[0]}`));
      this.terminate();
      return;
    }
    this.readyState = OPEN;
    this.emit("open");
    if (buffer.length > end + 4) this.onFrames(buffer.subarray(end + 4));
  }

  onFrames(chunk) {
    const buffer = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    let offset = 0;
    while (buffer.length - offset >= 2) {
      const opcode = buffer[offset] & 0x0f;
      let length = buffer[offset + 1] & 0x7f;
      let header = 2;
      if (length === 126) {
        if (buffer.length - offset < 4) break;
        length = buffer.readUInt16BE(offset + 2);
        header = 4;
      } else if (length === 127) {
        if (buffer.length - offset < 10) break;
        length = Number(buffer.readBigUInt64BE(offset + 2));
        header = 10;
      }
      if (buffer.length - offset < header + length) break;
      // A server's frames are never masked (RFC 6455 5.1), so the payload is the bytes as they came.
      const payload = buffer.subarray(offset + header, offset + header + length);
      offset += header + length;
      if (opcode === TEXT) {
        this.emit("message", payload);
      } else if (opcode === PING) {
        this.frame(PONG, payload);
      } else if (opcode === CLOSE) {
        this.frame(CLOSE, payload.subarray(0, 2));
        this.socket.end();
        this.closed(payload.length >= 2 ? payload.readUInt16BE(0) : 1005);
        return;
      }
    }
    this.pending = offset < buffer.length ? Buffer.from(buffer.subarray(offset)) : null;
  }

  send(text) {
    if (this.readyState === OPEN) this.frame(TEXT, Buffer.from(text));
  }

  /** One final frame, masked as a client's must be (RFC 6455 5.3). */
  frame(opcode, payload) {
    const length = payload.length;
    const header = length < 126 ? 2 : length <= 0xffff ? 4 : 10;
    const frame = Buffer.allocUnsafe(header + 4 + length);
    frame[0] = 0x80 | opcode;
    if (length < 126) {
      frame[1] = 0x80 | length;
    } else if (length <= 0xffff) {
      frame[1] = 0x80 | 126;
      frame.writeUInt16BE(length, 2);
    } else {
      frame[1] = 0x80 | 127;
      frame.writeBigUInt64BE(BigInt(length), 2);
    }
    frame.writeUInt32BE((Math.random() * 0x100000000) >>> 0, header);
    for (let i = 0; i < length; i++) frame[header + 4 + i] = payload[i] ^ frame[header + (i & 3)];
    this.socket.write(frame);
  }

  terminate() {
    this.socket.destroy();
    this.closed(1006);
  }

  closed(code) {
    if (this.readyState === CLOSED) return;
    this.readyState = CLOSED;
    this.emit("close", code);
  }
}

module.exports = { RawWebSocket };
