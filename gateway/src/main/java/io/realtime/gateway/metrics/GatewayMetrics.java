package io.realtime.gateway.metrics;

import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The node's Prometheus registry and the binders bound to it. Names follow Micrometer's conventions (see
 * {@link MeterNames}); node identity comes from the scrape target's labels, never from a tag.
 */
public final class GatewayMetrics {

    private final PrometheusMeterRegistry registry;

    public GatewayMetrics() {
        this(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    public GatewayMetrics(PrometheusMeterRegistry registry) {
        this.registry = registry;
    }

    /** Binds each binder to the registry. */
    public GatewayMetrics bind(MeterBinder... binders) {
        for (MeterBinder binder : binders) {
            binder.bindTo(registry);
        }
        return this;
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text exposition of every meter. */
    public String scrape() {
        return registry.scrape();
    }
}
