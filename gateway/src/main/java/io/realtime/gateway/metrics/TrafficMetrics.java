package io.realtime.gateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.realtime.gateway.stats.BehaviourClose;
import io.realtime.gateway.stats.HttpClose;
import io.realtime.gateway.stats.RecoveryFailure;
import io.realtime.gateway.stats.DisconnectReason;
import io.realtime.gateway.stats.EventRefusal;
import io.realtime.gateway.stats.RefusalReason;
import io.realtime.gateway.stats.TrafficObserver;
import io.realtime.gateway.stats.TrafficTotals;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The Socket.IO traffic as meters: connections, events, bytes, handlers, acks, refusals, and the Socket.IO port's
 * HTTP connections closed by its deadlines and decoder limits ({@link HttpCloseMetrics}). It is the server's
 * {@link TrafficObserver} from the start, and counts into a registry once bound; the namespaces and events that
 * may become tags are {@linkplain #declare declared}, in either order, and every series of the dashboard and the
 * alerts then exists at zero. Called from event loops: lookups are one map read, no lock.
 */
public final class TrafficMetrics implements TrafficObserver, TrafficTotals, MeterBinder {

    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    /** The meters of each (namespace, event) tag pair, found without building a key string per event. */
    private final Map<String, Map<String, EventMeters>> eventMeters = new ConcurrentHashMap<>();
    private final AtomicLong pendingAcks = new AtomicLong();
    private final LongAdder eventsReceived = new LongAdder();
    private final LongAdder eventsSent = new LongAdder();
    private final LongAdder packetsInTotal = new LongAdder();
    private final LongAdder bytesInTotal = new LongAdder();
    private final LongAdder packetsOutTotal = new LongAdder();
    private final LongAdder bytesOutTotal = new LongAdder();
    /** The Socket.IO port's HTTP closes (deadlines, 414, 431); the internal port binds its own. */
    private final HttpCloseMetrics httpCloses = new HttpCloseMetrics(HttpCloseMetrics.Port.SOCKETIO);
    private volatile KnownNames names = KnownNames.NONE;
    private volatile MeterRegistry registry;
    private volatile Counter bytesIn;
    private volatile Counter bytesOut;
    private volatile Counter ackTimeouts;
    private volatile Timer ackLatency;

    @Override
    public void bindTo(MeterRegistry registry) {
        bytesIn = Counter.builder(MeterNames.BYTES_RECEIVED).baseUnit("bytes").description("bytes received from clients").register(registry);
        bytesOut = Counter.builder(MeterNames.BYTES_SENT).baseUnit("bytes").description("bytes sent to clients").register(registry);
        ackTimeouts = Counter.builder(MeterNames.ACK_TIMEOUTS).description("server-to-client acks never answered").register(registry);
        ackLatency = Timer.builder(MeterNames.ACK_LATENCY).serviceLevelObjectives(Buckets.LATENCY)
                .description("time until a client answers a server-to-client ack").register(registry);
        Gauge.builder(MeterNames.ACKS_PENDING, pendingAcks, AtomicLong::get).description("server-to-client acks awaited").register(registry);
        this.registry = registry;
        for (RefusalReason reason : RefusalReason.values()) {
            counter(MeterNames.CONNECTIONS_REFUSED, MeterNames.REASON, reason.tag());
        }
        for (BehaviourClose reason : BehaviourClose.values()) {
            counter(MeterNames.CONNECTIONS_CLOSED_BEHAVIOUR, MeterNames.REASON, reason.tag());
        }
        httpCloses.bindTo(registry);
        counter(MeterNames.RECOVERIES);
        counter(MeterNames.RECOVERY_REPLAYED);
        for (RecoveryFailure reason : RecoveryFailure.values()) {
            counter(MeterNames.RECOVERIES_FAILED, MeterNames.REASON, reason.tag());
        }
        createSeries(names);
    }

    /** The names that may become tag values; their series are created at zero (now, or when bound). */
    public void declare(KnownNames known) {
        this.names = known;
        if (registry != null) {
            createSeries(known);
        }
    }

    private void createSeries(KnownNames known) {
        known.handledByNamespace().forEach((namespace, handled) -> handled.forEach(event -> {
            counter(MeterNames.EVENTS_RECEIVED, MeterNames.NSP, namespace, MeterNames.EVENT, event);
            counter(MeterNames.HANDLER_ERRORS, MeterNames.NSP, namespace, MeterNames.EVENT, event);
            counter(MeterNames.VALIDATION_ERRORS, MeterNames.NSP, namespace, MeterNames.EVENT, event);
            handlerTimer(namespace, event);
        }));
        known.sentByNamespace().forEach((namespace, sent) -> sent.forEach(event ->
                counter(MeterNames.EVENTS_SENT, MeterNames.NSP, namespace, MeterNames.EVENT, event)));
        for (String namespace : known.namespaces()) {
            counter(MeterNames.CONNECTS, MeterNames.NSP, namespace);
            for (DisconnectReason reason : DisconnectReason.values()) {
                counter(MeterNames.DISCONNECTS, MeterNames.NSP, namespace, MeterNames.REASON, reason.text());
            }
            for (EventRefusal reason : EventRefusal.values()) {
                counter(MeterNames.EVENTS_REFUSED, MeterNames.NSP, namespace, MeterNames.REASON, reason.tag());
            }
            counter(MeterNames.ROOM_JOINS, MeterNames.NSP, namespace);
            counter(MeterNames.ROOM_LEAVES, MeterNames.NSP, namespace);
        }
    }

    @Override
    public long eventsReceived() {
        return eventsReceived.sum();
    }

    @Override
    public long eventsSent() {
        return eventsSent.sum();
    }

    @Override
    public long packetsIn() {
        return packetsInTotal.sum();
    }

    @Override
    public long bytesIn() {
        return bytesInTotal.sum();
    }

    @Override
    public long packetsOut() {
        return packetsOutTotal.sum();
    }

    @Override
    public long bytesOut() {
        return bytesOutTotal.sum();
    }

    @Override
    public void connected(String namespace) {
        increment(1, MeterNames.CONNECTS, MeterNames.NSP, names.namespace(namespace));
    }

    @Override
    public void disconnected(String namespace, DisconnectReason reason) {
        increment(1, MeterNames.DISCONNECTS, MeterNames.NSP, names.namespace(namespace), MeterNames.REASON, reason.text());
    }

    @Override
    public void refused(RefusalReason reason) {
        increment(1, MeterNames.CONNECTIONS_REFUSED, MeterNames.REASON, reason.tag());
    }

    @Override
    public void eventReceived(String namespace, String event) {
        eventsReceived.increment();
        if (registry != null) {
            eventMeters(namespace, event).received().increment();
        }
    }

    @Override
    public void eventsSent(String namespace, String event, int count) {
        eventsSent.add(count);
        if (registry != null) {
            eventMeters(namespace, event).sent().increment(count);
        }
    }

    @Override
    public void eventRefused(String namespace, EventRefusal reason) {
        increment(1, MeterNames.EVENTS_REFUSED, MeterNames.NSP, names.namespace(namespace), MeterNames.REASON, reason.tag());
    }

    @Override
    public void recovered(String namespace, int replayed) {
        increment(1, MeterNames.RECOVERIES);
        increment(replayed, MeterNames.RECOVERY_REPLAYED);
    }

    @Override
    public void recoveryFailed(RecoveryFailure reason) {
        increment(1, MeterNames.RECOVERIES_FAILED, MeterNames.REASON, reason.tag());
    }

    @Override
    public void closedForBehaviour(BehaviourClose reason) {
        increment(1, MeterNames.CONNECTIONS_CLOSED_BEHAVIOUR, MeterNames.REASON, reason.tag());
    }

    @Override
    public void httpClosed(HttpClose reason) {
        httpCloses.closed(reason);
    }

    @Override
    public void bytesReceived(long bytes) {
        packetsInTotal.increment();
        bytesInTotal.add(bytes);
        Counter counter = bytesIn;
        if (counter != null) {
            counter.increment(bytes);
        }
    }

    @Override
    public void bytesSent(long bytes) {
        bytesSent(1, bytes);
    }

    @Override
    public void bytesSent(long payloads, long bytes) {
        packetsOutTotal.add(payloads);
        bytesOutTotal.add(bytes);
        Counter counter = bytesOut;
        if (counter != null) {
            counter.increment(bytes);
        }
    }

    @Override
    public void handled(String namespace, String event, long nanos) {
        if (registry != null) {
            eventMeters(namespace, event).handled().record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void handlerFailed(String namespace, String event) {
        increment(1, MeterNames.HANDLER_ERRORS, MeterNames.NSP, names.namespace(namespace), MeterNames.EVENT, names.event(event));
    }

    @Override
    public void validationFailed(String namespace, String event) {
        increment(1, MeterNames.VALIDATION_ERRORS, MeterNames.NSP, names.namespace(namespace), MeterNames.EVENT, names.event(event));
    }

    @Override
    public void roomJoined(String namespace) {
        increment(1, MeterNames.ROOM_JOINS, MeterNames.NSP, names.namespace(namespace));
    }

    @Override
    public void roomLeft(String namespace) {
        increment(1, MeterNames.ROOM_LEAVES, MeterNames.NSP, names.namespace(namespace));
    }

    @Override
    public void ackRequested() {
        pendingAcks.incrementAndGet();
    }

    @Override
    public void ackAnswered(long nanos) {
        pendingAcks.decrementAndGet();
        Timer timer = ackLatency;
        if (timer != null) {
            timer.record(Duration.ofNanos(nanos));
        }
    }

    @Override
    public void ackAbandoned() {
        pendingAcks.decrementAndGet();
    }

    @Override
    public void ackTimedOut() {
        pendingAcks.decrementAndGet();
        Counter counter = ackTimeouts;
        if (counter != null) {
            counter.increment();
        }
    }

    private void increment(double amount, String name, String... tags) {
        if (registry != null) {
            counter(name, tags).increment(amount);
        }
    }

    private EventMeters eventMeters(String namespace, String event) {
        String nsp = names.namespace(namespace);
        String name = names.event(event);
        Map<String, EventMeters> byEvent = eventMeters.get(nsp);
        if (byEvent == null) {
            byEvent = eventMeters.computeIfAbsent(nsp, key -> new ConcurrentHashMap<>());
        }
        EventMeters meters = byEvent.get(name);
        return meters != null ? meters : byEvent.computeIfAbsent(name, key -> new EventMeters(nsp, name));
    }

    /**
     * The meters of one (namespace, event) pair, each registered on first use (as {@link #counter} would), so that
     * the series that exist stay the same; tag values are already limited to the known names.
     */
    private final class EventMeters {
        private final String namespace;
        private final String event;
        private volatile Counter received;
        private volatile Counter sent;
        private volatile Timer handled;

        EventMeters(String namespace, String event) {
            this.namespace = namespace;
            this.event = event;
        }

        Counter received() {
            Counter meter = received;
            if (meter == null) {
                meter = counter(MeterNames.EVENTS_RECEIVED, MeterNames.NSP, namespace, MeterNames.EVENT, event);
                received = meter;
            }
            return meter;
        }

        Counter sent() {
            Counter meter = sent;
            if (meter == null) {
                meter = counter(MeterNames.EVENTS_SENT, MeterNames.NSP, namespace, MeterNames.EVENT, event);
                sent = meter;
            }
            return meter;
        }

        Timer handled() {
            Timer meter = handled;
            if (meter == null) {
                meter = handlerTimer(namespace, event);
                handled = meter;
            }
            return meter;
        }
    }

    /** A plain string key, because building {@code Tags} sorts and streams; events find theirs through {@link EventMeters}. */
    private Counter counter(String name, String... tagKeysAndValues) {
        return counters.computeIfAbsent(name + '|' + String.join("|", tagKeysAndValues),
                key -> Counter.builder(name).tags(tagKeysAndValues).register(registry));
    }

    private Timer handlerTimer(String namespace, String event) {
        return timers.computeIfAbsent(namespace + '|' + event, key -> Timer.builder(MeterNames.HANDLER_DURATION)
                .tags(MeterNames.NSP, namespace, MeterNames.EVENT, event).serviceLevelObjectives(Buckets.HANDLER)
                .description("time an event handler ran").register(registry));
    }
}
