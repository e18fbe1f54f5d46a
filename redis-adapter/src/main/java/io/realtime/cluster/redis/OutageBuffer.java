package io.realtime.cluster.redis;

import io.realtime.cluster.ClusterStats;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Messages published while Redis is unreachable (and after them, until they are sent), kept in order, bounded by
 * count (the oldest is dropped first) and by age (too old to be worth sending when Redis is back). Thread-safe.
 */
final class OutageBuffer {

    record Held(boolean sharded, String channel, byte[] message, long heldAtNanos) {
    }

    private final int capacity;
    private final long maxAgeNanos;
    private final ClusterStats stats;
    private final ArrayDeque<Held> held = new ArrayDeque<>();
    /** From the first message held until a drain finds none left to send: later messages must queue behind. */
    private volatile boolean waiting;

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
        waiting = true;
        stats.recordBuffered();
    }

    /**
     * Holds the message when Redis is unreachable or messages held before it still wait to be sent (sent now, it
     * would overtake them); checked under the lock so that a drain after a reconnect cannot miss it.
     */
    boolean holdIfWaiting(BooleanSupplier unreachable, boolean sharded, String channel, byte[] message) {
        if (!waiting && !unreachable.getAsBoolean()) {
            return false;
        }
        synchronized (this) {
            if (!waiting && !unreachable.getAsBoolean()) {
                return false;
            }
            hold(sharded, channel, message);
            return true;
        }
    }

    /**
     * Takes every message still young enough to send; the others are counted as dropped. Messages are held behind
     * those taken until a drain finds nothing left to send.
     */
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
        waiting = !fresh.isEmpty();
        return fresh;
    }

    synchronized int size() {
        return held.size();
    }
}
