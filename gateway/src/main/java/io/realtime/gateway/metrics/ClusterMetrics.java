package io.realtime.gateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.realtime.cluster.ClusterObserver;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the cluster reports, as meters: broadcast fan-out per namespace, publish latency, cluster requests. It is
 * the cluster's {@link ClusterObserver} from the start and counts once bound; namespaces are
 * {@linkplain #declare declared} like {@link TrafficMetrics}' ones.
 */
public final class ClusterMetrics implements ClusterObserver, MeterBinder {

    /** The cluster request types redis-adapter reports; anything else is {@link MeterNames#OTHER}. */
    public static final List<String> REQUEST_TYPES = List.of("fetchSockets", "allRooms", "serverSideEmit", "broadcastAck");

    private final Map<String, DistributionSummary> recipients = new ConcurrentHashMap<>();
    private final Map<String, Timer> requests = new ConcurrentHashMap<>();
    private final Map<String, Counter> timeouts = new ConcurrentHashMap<>();
    private volatile KnownNames names = KnownNames.NONE;
    private volatile MeterRegistry registry;
    private volatile Timer publishLatency;

    @Override
    public void bindTo(MeterRegistry registry) {
        publishLatency = Timer.builder(MeterNames.CLUSTER_PUBLISH_LATENCY).serviceLevelObjectives(Buckets.LATENCY)
                .description("time until Redis acknowledges a publish").register(registry);
        this.registry = registry;
        for (String type : REQUEST_TYPES) {
            requestTimer(type);
            timeouts(type);
        }
        names.namespaces().forEach(this::recipients);
    }

    /** The namespaces that may become tag values; their fan-out series are created at zero. */
    public void declare(KnownNames known) {
        this.names = known;
        if (registry != null) {
            known.namespaces().forEach(this::recipients);
        }
    }

    @Override
    public void delivered(String namespace, int count) {
        if (registry != null) {
            recipients(names.namespace(namespace)).record(count);
        }
    }

    @Override
    public void published(long nanos) {
        Timer timer = publishLatency;
        if (timer != null) {
            timer.record(Duration.ofNanos(nanos));
        }
    }

    @Override
    public void requestCompleted(String type, long nanos) {
        if (registry != null) {
            requestTimer(type).record(Duration.ofNanos(nanos));
        }
    }

    @Override
    public void requestTimedOut(String type) {
        if (registry != null) {
            timeouts(type).increment();
        }
    }

    private DistributionSummary recipients(String namespace) {
        return recipients.computeIfAbsent(namespace, key -> DistributionSummary.builder(MeterNames.BROADCAST_RECIPIENTS)
                .tags(MeterNames.NSP, key).serviceLevelObjectives(Buckets.FAN_OUT)
                .description("sockets of this node each broadcast reached").register(registry));
    }

    private Timer requestTimer(String type) {
        String known = REQUEST_TYPES.contains(type) ? type : MeterNames.OTHER;
        return requests.computeIfAbsent(known, key -> Timer.builder(MeterNames.CLUSTER_REQUEST_DURATION)
                .tags(MeterNames.TYPE, key).serviceLevelObjectives(Buckets.LATENCY)
                .description("time until every node answered a cluster request").register(registry));
    }

    private Counter timeouts(String type) {
        String known = REQUEST_TYPES.contains(type) ? type : MeterNames.OTHER;
        return timeouts.computeIfAbsent(known, key -> Counter.builder(MeterNames.CLUSTER_REQUEST_TIMEOUTS)
                .tags(MeterNames.TYPE, key).register(registry));
    }
}
