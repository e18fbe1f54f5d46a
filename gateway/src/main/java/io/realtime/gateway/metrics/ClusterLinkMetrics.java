package io.realtime.gateway.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.realtime.cluster.Cluster;
import io.realtime.cluster.ClusterStats;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToDoubleFunction;

/**
 * The state of the link to the cluster: nodes seen, Redis connected, messages through Redis. The node count is a
 * cluster request, so it is sampled on the node's scheduler (never on a scrape, never on an event loop).
 */
public final class ClusterLinkMetrics implements MeterBinder {

    static final Duration SAMPLING = Duration.ofSeconds(5);

    private final Cluster cluster;
    private final ScheduledExecutorService scheduler;
    private final AtomicInteger nodes = new AtomicInteger(1);

    public ClusterLinkMetrics(Cluster cluster, ScheduledExecutorService scheduler) {
        this.cluster = cluster;
        this.scheduler = scheduler;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder(MeterNames.CLUSTER_NODES, nodes, AtomicInteger::get).description("nodes seen in the cluster").register(registry);
        Gauge.builder(MeterNames.CLUSTER_REDIS_CONNECTED, cluster, c -> c.isConnected() ? 1 : 0)
                .description("1 when the Redis connection is up").register(registry);
        cluster.stats().ifPresent(stats -> {
            functionCounter(registry, MeterNames.CLUSTER_MESSAGES_PUBLISHED, stats, ClusterStats::published, "messages published to Redis");
            functionCounter(registry, MeterNames.CLUSTER_MESSAGES_RECEIVED, stats, ClusterStats::received, "messages received from Redis");
            functionCounter(registry, MeterNames.CLUSTER_BUFFERED, stats, ClusterStats::buffered, "broadcasts held during a Redis outage");
            functionCounter(registry, MeterNames.CLUSTER_DROPPED, stats, ClusterStats::dropped, "broadcasts dropped during a Redis outage");
            functionCounter(registry, MeterNames.CLUSTER_RECONNECTS, stats, ClusterStats::reconnects, "Redis reconnections");
        });
        scheduler.scheduleWithFixedDelay(() -> cluster.of("/").serverCount().thenAccept(nodes::set),
                0, SAMPLING.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static <T> void functionCounter(MeterRegistry registry, String name, T source, ToDoubleFunction<T> value, String description) {
        FunctionCounter.builder(name, source, value).description(description).register(registry);
    }
}
