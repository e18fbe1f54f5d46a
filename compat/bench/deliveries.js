"use strict";
// What the subscribers of a fan-out step received, each message counted once per subscriber. Every message carries
// its sequence number (`s`, from 0) and its send time (`t` on clock.js: when it fell due, bench.js sendStamp); a
// copy of a message a subscriber already had is a duplicate, counted apart, so that duplicates can never make up
// for lost messages. Cheap per message (the generator's hot path): one JSON.parse, one array lookup and store.
const { Histogram } = require("./histogram");
const { now } = require("./clock");

/** The sequence numbers one subscriber has received: one byte per message of the step, grown by doubling. */
class SeqSet {
  constructor(capacity = 1024) {
    this.seen = new Uint8Array(capacity);
  }

  /** Marks `seq` (an integer from 0) as received; false when it already was (a duplicate). */
  add(seq) {
    if (seq >= this.seen.length) this.grow(seq);
    if (this.seen[seq]) return false;
    this.seen[seq] = 1;
    return true;
  }

  grow(seq) {
    let length = this.seen.length * 2;
    while (length <= seq) length *= 2;
    const seen = new Uint8Array(length);
    seen.set(this.seen);
    this.seen = seen;
  }
}

/** Deliveries (first copies, with their latency) and duplicates of one step, over any number of subscribers. */
class Deliveries {
  constructor() {
    this.histogram = new Histogram();
    this.delivered = 0;
    this.duplicates = 0;
  }

  /** One message's payload (its JSON text) as received by the subscriber whose SeqSet is `seen`. */
  record(seen, text) {
    const at = now();
    const { t, s } = JSON.parse(text);
    if (!seen.add(s)) {
      this.duplicates++;
      return;
    }
    this.delivered++;
    this.histogram.record(at - t);
  }
}

module.exports = { SeqSet, Deliveries };
