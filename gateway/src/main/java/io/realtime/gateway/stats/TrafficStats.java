package io.realtime.gateway.stats;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Running totals of this node's Socket.IO traffic, per namespace: cheap to update from any event loop. */
public final class TrafficStats {

    /** The totals of one namespace. */
    public static final class Counters {
        final LongAdder eventsIn = new LongAdder();
        final LongAdder eventsOut = new LongAdder();
        final LongAdder connects = new LongAdder();
        final LongAdder disconnects = new LongAdder();

        public long eventsIn() {
            return eventsIn.sum();
        }

        public long eventsOut() {
            return eventsOut.sum();
        }

        public long connects() {
            return connects.sum();
        }

        public long disconnects() {
            return disconnects.sum();
        }
    }

    private final Map<String, Counters> byNamespace = new ConcurrentHashMap<>();

    public Counters of(String namespace) {
        return byNamespace.computeIfAbsent(namespace, name -> new Counters());
    }

    public void eventIn(String namespace) {
        of(namespace).eventsIn.increment();
    }

    public void eventOut(String namespace) {
        of(namespace).eventsOut.increment();
    }

    public void connected(String namespace) {
        of(namespace).connects.increment();
    }

    public void disconnected(String namespace) {
        of(namespace).disconnects.increment();
    }

    public Map<String, Counters> all() {
        return Map.copyOf(byNamespace);
    }

    public long totalEventsIn() {
        return byNamespace.values().stream().mapToLong(Counters::eventsIn).sum();
    }

    public long totalEventsOut() {
        return byNamespace.values().stream().mapToLong(Counters::eventsOut).sum();
    }
}
