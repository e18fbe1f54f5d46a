package io.realtime.gateway.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.realtime.cluster.Cluster;
import io.realtime.cluster.ClusterStats;
import io.realtime.cluster.ClusterUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToLongFunction;

/**
 * The state of the link to the cluster: nodes seen, Redis connected, messages through Redis. The node count is a
 * cluster request, so it is sampled on the node's scheduler (never on a scrape, never on an event loop); while Redis
 * is unreachable it is 1. Closing it (with the {@link GatewayMetrics} it is bound by) stops the sampling.
 */
public final class ClusterLinkMetrics implements MeterBinder, AutoCloseable {

    static final Duration SAMPLING = Duration.ofSeconds(5);

    private static final Logger log = LoggerFactory.getLogger(ClusterLinkMetrics.class);

    private final Cluster cluster;
    private final ScheduledExecutorService scheduler;
    private final AtomicInteger nodes = new AtomicInteger(1);
    private final AtomicReference<ScheduledFuture<?>> sampling = new AtomicReference<>();
    /** Set while samples keep throwing, so a lasting failure is logged once and not every {@link #SAMPLING}. */
    private final AtomicBoolean failing = new AtomicBoolean();
    private volatile boolean closed;

    public ClusterLinkMetrics(Cluster cluster, ScheduledExecutorService scheduler) {
        this.cluster = cluster;
        this.scheduler = scheduler;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder(MeterNames.CLUSTER_NODES, nodes, AtomicInteger::get).description("nodes seen in the cluster").register(registry);
        Gauge.builder(MeterNames.CLUSTER_REDIS_CONNECTED, cluster, c -> c.isConnected() ? 1 : 0)
                .description("1 when the Redis connection is up").register(registry);
        // Without Redis these stay at zero rather than missing, so alert expressions evaluate on every node.
        functionCounter(registry, MeterNames.CLUSTER_MESSAGES_PUBLISHED, ClusterStats::published, "messages published to Redis");
        // The cluster transport (classic, sharded) tags what arrives from Redis; "none" on a single node.
        String transport = cluster.stats().map(ClusterStats::transport).orElse("none");
        FunctionCounter.builder(MeterNames.CLUSTER_MESSAGES_RECEIVED, cluster, c -> c.stats().map(ClusterStats::received).orElse(0L))
                .tags(MeterNames.TRANSPORT, transport).description("messages received from Redis").register(registry);
        FunctionCounter.builder(MeterNames.CLUSTER_BYTES_RECEIVED, cluster, c -> c.stats().map(ClusterStats::bytesReceived).orElse(0L))
                .tags(MeterNames.TRANSPORT, transport).description("bytes of the messages received from Redis").register(registry);
        FunctionCounter.builder(MeterNames.CLUSTER_MALFORMED_MESSAGES, cluster, c -> c.stats().map(ClusterStats::malformed).orElse(0L))
                .tags(MeterNames.TRANSPORT, transport).description("messages from Redis that could not be read (ignored)").register(registry);
        Gauge.builder(MeterNames.CLUSTER_SUBSCRIPTIONS, cluster, c -> c.stats().map(ClusterStats::subscriptions).orElse(0L))
                .tags(MeterNames.TRANSPORT, transport).description("Redis channels and patterns this node is subscribed to")
                .register(registry);
        functionCounter(registry, MeterNames.CLUSTER_TOPOLOGY_REFRESHES, ClusterStats::topologyRefreshes,
                "Redis Cluster topology refreshes (adaptive, or periodic ones that found a change)");
        functionCounter(registry, MeterNames.CLUSTER_BUFFERED, ClusterStats::buffered, "broadcasts held during a Redis outage");
        functionCounter(registry, MeterNames.CLUSTER_DROPPED, ClusterStats::dropped, "broadcasts dropped during a Redis outage");
        functionCounter(registry, MeterNames.CLUSTER_UNDELIVERED, ClusterStats::undelivered,
                "namespace-wide messages Redis handed to fewer nodes than counted (sharded: a Redis Cluster failover's window)");
        functionCounter(registry, MeterNames.CLUSTER_RECONNECTS, ClusterStats::reconnects, "Redis reconnections");
        functionCounter(registry, MeterNames.CLUSTER_PUBLISH_FAILURES, ClusterStats::publishFailures,
                "publishes Redis did not take (refused, timed out, connection lost): each held again, failed or unconfirmed");
        functionCounter(registry, MeterNames.CLUSTER_PUBLISH_UNCONFIRMED, ClusterStats::publishesUnconfirmed,
                "broadcasts whose publish timed out on a connection still up: not sent again (a slow Redis runs them"
                        + " late; lost if they never reached it)");
        functionCounter(registry, MeterNames.CLUSTER_REQUEST_FAILURES, ClusterStats::requestFailures,
                "cluster requests failed at once because Redis was unreachable");
        functionCounter(registry, MeterNames.CLUSTER_HANDLER_FAILURES, ClusterStats::handlerFailures,
                "messages from Redis read well that this node failed to apply (a bug here, not the sender's)");
        functionCounter(registry, MeterNames.CLUSTER_REQUESTS_REFUSED, ClusterStats::requestsRefused,
                "other nodes' requests (fetchSockets, socket ids, allRooms) left unanswered: the cluster's work queue was full");
        Gauge.builder(MeterNames.CLUSTER_WORK_QUEUED, cluster, c -> c.stats().map(ClusterStats::workQueued).orElse(0L))
                .description("the cluster's work queue: answers to other nodes' requests and recovery replays, running or waiting")
                .register(registry);
        Gauge.builder(MeterNames.CLUSTER_BROKEN, cluster, c -> c.failure().isPresent() ? 1 : 0)
                .description("1 once this node's link to the cluster failed for good (its stream reader stopped): it no"
                        + " longer hears the other nodes, and its health checks answer DOWN until it restarts")
                .register(registry);
        // What is held now against what may be: an alert can warn before broadcasts are dropped.
        Gauge.builder(MeterNames.CLUSTER_HELD, cluster, c -> c.stats().map(ClusterStats::held).orElse(0L))
                .description("messages held now for Redis (an outage, a dropped connection, Redis too slow)").register(registry);
        Gauge.builder(MeterNames.CLUSTER_HELD_LIMIT, cluster, c -> c.stats().map(ClusterStats::heldLimit).orElse(0L))
                .description("the most messages held before the oldest are dropped (OUTAGE_BUFFER_SIZE; 0: single node)")
                .register(registry);
        startSampling();
    }

    /** One sampling task whatever the number of registries bound, none once closed. */
    private synchronized void startSampling() {
        if (closed || sampling.get() != null) {
            return;
        }
        sampling.set(scheduler.scheduleWithFixedDelay(this::sample, 0, SAMPLING.toMillis(), TimeUnit.MILLISECONDS));
    }

    /**
     * Never throws: a periodic task that throws is never run again, and the node count would freeze at its last value.
     * A count that throws at once is handled like one that fails later.
     */
    void sample() {
        try {
            cluster.of("/").serverCount().whenComplete(this::sampled);
            if (failing.compareAndSet(true, false)) {
                log.info("counting the cluster's nodes works again");
            }
        } catch (RuntimeException e) {
            if (failing.compareAndSet(false, true)) {
                log.warn("counting the cluster's nodes failed; {} keeps its last value until a count works (logged once"
                        + " until then)", MeterNames.CLUSTER_NODES, e);
            }
            sampled(null, e);
        }
    }

    /** Stops the sampling (the node is stopping: its cluster is about to close). */
    @Override
    public synchronized void close() {
        closed = true;
        ScheduledFuture<?> task = sampling.getAndSet(null);
        if (task != null) {
            task.cancel(false);
        }
    }

    /**
     * With Redis unreachable the node is alone: it hears no other node, and a gauge left at the last count would hide
     * the split from the dashboard. A count that failed otherwise (a slow Redis's timeout) leaves the last one.
     */
    private void sampled(Integer count, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (failure == null) {
            nodes.set(count);
        } else if (cause instanceof ClusterUnavailableException) {
            nodes.set(1);
        }
    }

    private void functionCounter(MeterRegistry registry, String name, ToLongFunction<ClusterStats> value, String description) {
        FunctionCounter.builder(name, cluster, c -> c.stats().map(value::applyAsLong).orElse(0L))
                .description(description).register(registry);
    }
}
