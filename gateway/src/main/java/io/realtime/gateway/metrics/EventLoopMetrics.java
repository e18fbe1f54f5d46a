package io.realtime.gateway.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.time.Duration;
import java.util.function.Supplier;

/** How far behind the slowest event loop is, read on each scrape: milliseconds at most on a healthy node. */
public final class EventLoopMetrics implements MeterBinder {

    private final Supplier<Duration> lag;

    /** @param lag the slowest loop's lag, as the node's watchdog measures it */
    public EventLoopMetrics(Supplier<Duration> lag) {
        this.lag = lag;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder(MeterNames.EVENT_LOOP_LAG, () -> lag.get().toNanos() / 1e9).baseUnit("seconds")
                .description("how long the slowest event loop's latest probe task has waited, or waited before it ran")
                .register(registry);
    }
}
