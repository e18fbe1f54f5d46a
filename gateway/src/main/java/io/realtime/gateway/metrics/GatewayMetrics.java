package io.realtime.gateway.metrics;

import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The node's Prometheus registry and the binders bound to it. Names follow Micrometer's conventions (see
 * {@link MeterNames}); node identity comes from the scrape target's labels, never from a tag.
 */
public final class GatewayMetrics implements AutoCloseable {

    private final PrometheusMeterRegistry registry;
    private final java.util.List<AutoCloseable> closeable = new java.util.concurrent.CopyOnWriteArrayList<>();

    public GatewayMetrics() {
        this(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    public GatewayMetrics(PrometheusMeterRegistry registry) {
        this.registry = registry;
    }

    /** Binds each binder to the registry; those that are {@link AutoCloseable} are closed with it. */
    public GatewayMetrics bind(MeterBinder... binders) {
        for (MeterBinder binder : binders) {
            binder.bindTo(registry);
            if (binder instanceof AutoCloseable resource) {
                closeable.add(resource);
            }
        }
        return this;
    }

    /** Closes the binders that hold something of the JVM's (listeners on its beans) and the registry. */
    @Override
    public void close() {
        for (AutoCloseable resource : closeable) {
            try {
                resource.close();
            } catch (Exception e) {
                org.slf4j.LoggerFactory.getLogger(GatewayMetrics.class).warn("closing {} failed", resource, e);
            }
        }
        registry.close();
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text exposition of every meter. */
    public String scrape() {
        return registry.scrape();
    }
}
