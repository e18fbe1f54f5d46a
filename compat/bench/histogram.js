"use strict";
// A latency histogram that several processes fill and one merges, bucket by bucket: logarithmic buckets of 2 %
// width from 1 us up (about 1,200 buckets up to 10 minutes), so any percentile is off by at most 2 % and merging
// is an addition of arrays, whatever the number of samples.
const GROWTH = 1.02;
const LOG_GROWTH = Math.log(GROWTH);
const BUCKETS = 1200;

class Histogram {
  constructor(counts) {
    this.counts = counts ? Float64Array.from(counts) : new Float64Array(BUCKETS);
  }

  /** Records one latency in milliseconds. */
  record(ms) {
    const micros = ms * 1000;
    const index = micros <= 1 ? 0 : Math.min(BUCKETS - 1, Math.ceil(Math.log(micros) / LOG_GROWTH));
    this.counts[index]++;
  }

  merge(other) {
    const counts = other instanceof Histogram ? other.counts : other;
    for (let i = 0; i < BUCKETS; i++) this.counts[i] += counts[i];
    return this;
  }

  get total() {
    let total = 0;
    for (let i = 0; i < BUCKETS; i++) total += this.counts[i];
    return total;
  }

  /** The upper bound (ms) of the bucket holding the p-th sample: never below the true percentile. */
  percentile(p) {
    const total = this.total;
    if (!total) return null;
    const rank = Math.min(total, Math.floor(p * total) + 1);
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i];
      if (seen >= rank) return Number((GROWTH ** i / 1000).toFixed(3));
    }
    return null;
  }

  max() {
    for (let i = BUCKETS - 1; i >= 0; i--) if (this.counts[i]) return Number((GROWTH ** i / 1000).toFixed(3));
    return null;
  }

  toJSON() {
    return Array.from(this.counts);
  }
}

module.exports = { Histogram };
