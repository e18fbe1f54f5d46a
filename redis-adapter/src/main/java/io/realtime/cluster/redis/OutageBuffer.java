package io.realtime.cluster.redis;

import io.realtime.cluster.ClusterStats;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Messages published while Redis is unreachable, kept in order, bounded by count (the oldest is dropped first) and
 * by age (too old to be worth sending when Redis is back). Thread-safe.
 */
final class OutageBuffer {

    record Held(boolean sharded, String channel, byte[] message, long heldAtNanos) {
    }

    private final int capacity;
    private final long maxAgeNanos;
    private final ClusterStats stats;
    private final ArrayDeque<Held> held = new ArrayDeque<>();

    OutageBuffer(int capacity, Duration maxAge, ClusterStats stats) {
        this.capacity = capacity;
        this.maxAgeNanos = maxAge.toNanos();
        this.stats = stats;
    }

    synchronized void hold(boolean sharded, String channel, byte[] message) {
        if (capacity == 0) {
            stats.recordDropped();
            return;
        }
        if (held.size() == capacity) {
            held.removeFirst();
            stats.recordDropped();
        }
        held.addLast(new Held(sharded, channel, message, System.nanoTime()));
        stats.recordBuffered();
    }

    /** Takes every message still young enough to send; the others are counted as dropped. */
    synchronized List<Held> drain() {
        long now = System.nanoTime();
        List<Held> fresh = new ArrayList<>(held.size());
        for (Held message : held) {
            if (now - message.heldAtNanos() <= maxAgeNanos) {
                fresh.add(message);
            } else {
                stats.recordDropped();
            }
        }
        held.clear();
        return fresh;
    }

    synchronized int size() {
        return held.size();
    }
}
