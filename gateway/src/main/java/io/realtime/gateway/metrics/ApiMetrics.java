package io.realtime.gateway.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Backend API requests by route and status. The routes are a fixed set (the API names them); each route's
 * accepted-request series exists at zero from the start, so the dashboard's request panel has data before the
 * first call. Other statuses appear when first answered.
 */
public final class ApiMetrics implements MeterBinder {

    private final List<String> routes;
    private final int usualStatus;
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    private volatile MeterRegistry registry;

    /**
     * @param routes      every route tag value the API uses
     * @param usualStatus the status of a successful request, whose series start at zero
     */
    public ApiMetrics(List<String> routes, int usualStatus) {
        this.routes = List.copyOf(routes);
        this.usualStatus = usualStatus;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        this.registry = registry;
        routes.forEach(route -> timer(route, usualStatus));
    }

    /** One request answered with {@code status} after {@code nanos}. */
    public void record(String route, int status, long nanos) {
        if (registry != null) {
            timer(route, status).record(Duration.ofNanos(nanos));
        }
    }

    private Timer timer(String route, int status) {
        return timers.computeIfAbsent(route + '|' + status, key -> Timer.builder(MeterNames.API_REQUESTS)
                .tags(MeterNames.ROUTE, route, MeterNames.STATUS, Integer.toString(status))
                .description("backend API requests").register(registry));
    }
}
