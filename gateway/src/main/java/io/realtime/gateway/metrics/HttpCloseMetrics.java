package io.realtime.gateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.realtime.gateway.stats.HttpClose;
import io.realtime.gateway.stats.HttpCloseObserver;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The HTTP connections one port closed on its own: by its request and idle deadlines (REQUEST_TIMEOUT,
 * IDLE_CONNECTION_TIMEOUT) and after answering a request its decoder gave up on, as
 * {@code socketio.http.closed{port, reason}}. Every reason the port can give exists at zero once bound; counting is
 * one map read and an increment, from the event loops.
 */
public final class HttpCloseMetrics implements MeterBinder, HttpCloseObserver {

    /** The node's HTTP ports; {@link #tag()} is the metric tag value. */
    public enum Port {
        /** The Socket.IO port. */
        SOCKETIO("socketio", EnumSet.allOf(HttpClose.class)),
        /** MANAGEMENT_PORT: health, metrics and the backend API. */
        INTERNAL("internal", EnumSet.allOf(HttpClose.class));

        private final String tag;
        private final Set<HttpClose> reasons;

        Port(String tag, Set<HttpClose> reasons) {
            this.tag = tag;
            this.reasons = reasons;
        }

        public String tag() {
            return tag;
        }
    }

    private final Port port;
    private volatile MeterRegistry registry;
    /** Replaced whole, never changed once published: read without a lock. */
    private volatile Map<HttpClose, Counter> counters = Map.of();

    public HttpCloseMetrics(Port port) {
        this.port = port;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        this.registry = registry;
        Map<HttpClose, Counter> bound = new EnumMap<>(HttpClose.class);
        for (HttpClose reason : port.reasons) {
            bound.put(reason, register(registry, reason));
        }
        counters = bound;
    }

    @Override
    public void closed(HttpClose reason) {
        Counter counter = counters.get(reason);
        if (counter == null) {
            MeterRegistry bound = registry;
            if (bound == null) {
                return;
            }
            // A reason this port was not expected to give: counted all the same (Micrometer returns the same meter).
            counter = register(bound, reason);
        }
        counter.increment();
    }

    private Counter register(MeterRegistry registry, HttpClose reason) {
        return Counter.builder(MeterNames.HTTP_CLOSED).tags(MeterNames.PORT, port.tag(), MeterNames.REASON, reason.tag())
                .description("HTTP connections closed by a request or idle deadline or a request the decoder gave up on")
                .register(registry);
    }
}
