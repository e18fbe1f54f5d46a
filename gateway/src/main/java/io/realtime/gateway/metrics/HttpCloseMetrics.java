package io.realtime.gateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.realtime.gateway.stats.HttpClose;
import io.realtime.gateway.stats.HttpCloseObserver;

import java.util.EnumMap;
import java.util.Map;

/**
 * The HTTP connections one port closed on its own: by its request and idle deadlines (REQUEST_TIMEOUT,
 * IDLE_CONNECTION_TIMEOUT) and after answering a request its decoder gave up on, as
 * {@code socketio.http.closed{port, reason}}. Every reason the port can give exists at zero once bound; counting is
 * one map read and an increment, from the event loops.
 */
public final class HttpCloseMetrics implements MeterBinder, HttpCloseObserver {

    /** The node's HTTP ports; {@link #tag()} is the metric tag value. Each may give every {@link HttpClose}. */
    public enum Port {
        /** The Socket.IO port. */
        SOCKETIO("socketio"),
        /** MANAGEMENT_PORT: health, metrics and the backend API. */
        INTERNAL("internal");

        private final String tag;

        Port(String tag) {
            this.tag = tag;
        }

        public String tag() {
            return tag;
        }
    }

    private final Port port;
    /** Replaced whole, never changed once published: read without a lock. Empty until bound: nothing is counted. */
    private volatile Map<HttpClose, Counter> counters = Map.of();

    public HttpCloseMetrics(Port port) {
        this.port = port;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Map<HttpClose, Counter> bound = new EnumMap<>(HttpClose.class);
        for (HttpClose reason : HttpClose.values()) {
            bound.put(reason, register(registry, reason));
        }
        counters = bound;
    }

    @Override
    public void closed(HttpClose reason) {
        Counter counter = counters.get(reason);
        if (counter != null) {
            counter.increment();
        }
    }

    private Counter register(MeterRegistry registry, HttpClose reason) {
        return Counter.builder(MeterNames.HTTP_CLOSED).tags(MeterNames.PORT, port.tag(), MeterNames.REASON, reason.tag())
                .description("HTTP connections closed by a request or idle deadline or a request the decoder gave up on")
                .register(registry);
    }
}
