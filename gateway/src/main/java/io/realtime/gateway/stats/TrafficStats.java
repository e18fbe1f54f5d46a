package io.realtime.gateway.stats;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Running totals of this node's Socket.IO traffic, per namespace, for the dashboard: cheap to update. */
public final class TrafficStats implements TrafficObserver {

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

    @Override
    public void eventReceived(String namespace, String event) {
        of(namespace).eventsIn.increment();
    }

    @Override
    public void eventsSent(String namespace, String event, int count) {
        of(namespace).eventsOut.add(count);
    }

    @Override
    public void connected(String namespace) {
        of(namespace).connects.increment();
    }

    @Override
    public void disconnected(String namespace, String reason) {
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
