package io.realtime.cluster.redis;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;

/**
 * The sequence numbers of a node's own stream entries whose append failed, which its sockets got at once and must
 * not get again if the entry is read back (held, it is appended when Redis is back; timed out, Redis may still run
 * it). Kept until they age out or newer ones push them out, the oldest going first, as the outage buffer drops its
 * oldest and appends the newest: an entry may come back more than once (appended again after its answer was lost),
 * and each number is its node's own once. Thread-safe; {@link #failed} costs one volatile read while nothing failed.
 */
final class FailedAppends {

    private final int capacity;
    private final long horizonNanos;
    /** Seq to when it failed, oldest first; guarded by itself. */
    private final LinkedHashMap<String, Long> failed = new LinkedHashMap<>();
    private volatile int count;

    FailedAppends(int capacity, Duration horizon) {
        this.capacity = capacity;
        this.horizonNanos = horizon.toNanos();
    }

    void remember(String seq) {
        long now = System.nanoTime();
        synchronized (failed) {
            for (Iterator<Long> oldest = failed.values().iterator(); oldest.hasNext(); ) {
                if (now - oldest.next() <= horizonNanos && failed.size() < capacity) {
                    break;
                }
                oldest.remove();
            }
            failed.putIfAbsent(seq, now);
            count = failed.size();
        }
    }

    /** Whether {@code seq} is one whose append failed. */
    boolean failed(String seq) {
        if (count == 0) {
            return false;
        }
        synchronized (failed) {
            return failed.containsKey(seq);
        }
    }
}
