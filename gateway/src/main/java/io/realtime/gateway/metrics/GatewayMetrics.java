package io.realtime.gateway.metrics;

import com.corundumstudio.socketio.SocketIOClient;
import com.corundumstudio.socketio.SocketIONamespace;
import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.namespace.Namespace;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.internal.PlatformDependent;
import io.realtime.cluster.Cluster;
import io.realtime.cluster.ClusterObserver;
import io.realtime.cluster.ClusterStats;
import io.realtime.gateway.stats.TrafficObserver;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;

/**
 * The node's Prometheus metrics (Micrometer). Names follow Micrometer's conventions ({@code socketio.connections}
 * becomes {@code socketio_connections}); the Socket.IO namespace is the tag {@code nsp}, because Kubernetes' own
 * {@code namespace} target label would clash. Node identity comes from the scrape target's labels, never from a
 * tag. Only registered event names and namespaces become tag values ({@code other} for the rest), so clients
 * cannot blow up cardinality. Histograms have fixed buckets, so they aggregate across nodes.
 */
public final class GatewayMetrics implements TrafficObserver, ClusterObserver {

    public static final List<String> DISCONNECT_REASONS = List.of("client namespace disconnect", "server namespace disconnect",
            "transport close", "transport error", "ping timeout", "parse error", "forced close", "server shutting down",
            "server error");
    public static final List<String> REFUSAL_REASONS = List.of("auth", "limit", "address_limit", "draining", "bad_request");
    public static final List<String> CLUSTER_REQUESTS = List.of("fetchSockets", "allRooms", "serverSideEmit", "broadcastAck");
    static final String OTHER = "other";

    private static final Duration[] LATENCY_BUCKETS = durations(1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000);
    private static final Duration[] HANDLER_BUCKETS = micros(10, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 50000, 250000);
    private static final double[] FANOUT_BUCKETS = {1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 25000};

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Set<String> namespaces = ConcurrentHashMap.newKeySet();
    private final Set<String> events = ConcurrentHashMap.newKeySet();
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    private final Map<String, DistributionSummary> fanOut = new ConcurrentHashMap<>();
    private final AtomicLong pendingAcks = new AtomicLong();
    private final AtomicInteger clusterNodes = new AtomicInteger(1);
    private final Counter bytesIn;
    private final Counter bytesOut;
    private final Counter ackTimeouts;
    private final Timer ackLatency;
    private final Timer publishLatency;

    public GatewayMetrics() {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        new NettyAllocatorMetrics(PooledByteBufAllocator.DEFAULT).bindTo(registry);
        Gauge.builder("netty.direct.memory.used", PlatformDependent::usedDirectMemory).baseUnit("bytes")
                .description("direct memory Netty has reserved").register(registry);
        bytesIn = Counter.builder("socketio.received").baseUnit("bytes").description("bytes received from clients").register(registry);
        bytesOut = Counter.builder("socketio.sent").baseUnit("bytes").description("bytes sent to clients").register(registry);
        ackTimeouts = Counter.builder("socketio.ack.timeouts").description("server-to-client acks never answered").register(registry);
        ackLatency = Timer.builder("socketio.ack.latency").serviceLevelObjectives(LATENCY_BUCKETS)
                .description("time until a client answers a server-to-client ack").register(registry);
        publishLatency = Timer.builder("socketio.cluster.publish.latency").serviceLevelObjectives(LATENCY_BUCKETS)
                .description("time until Redis acknowledges a publish").register(registry);
        Gauge.builder("socketio.acks.pending", pendingAcks, AtomicLong::get).description("server-to-client acks awaited").register(registry);
        REFUSAL_REASONS.forEach(reason -> counter("socketio.connections.refused", "reason", reason));
        List.of("abuse", "slow_consumer").forEach(reason -> counter("socketio.connections.closed.behaviour", "reason", reason));
    }

    /**
     * The namespaces and event names that may become tag values (anything else is {@code other}); their series
     * are created at once, at zero, so dashboards and alerts have data before the first event.
     */
    public void knownNames(Set<String> namespaceNames, Set<String> eventNames, Map<String, Set<String>> handledByNamespace) {
        namespaces.addAll(namespaceNames);
        events.addAll(eventNames);
        handledByNamespace.forEach((namespace, handled) -> handled.forEach(event -> {
            counter("socketio.events.received", "nsp", namespace, "event", event);
            counter("socketio.handler.errors", "nsp", namespace, "event", event);
            counter("socketio.validation.errors", "nsp", namespace, "event", event);
        }));
        for (String namespace : namespaceNames) {
            counter("socketio.connects", "nsp", namespace);
            for (String reason : DISCONNECT_REASONS) {
                counter("socketio.disconnects", "nsp", namespace, "reason", reason);
            }
            counter("socketio.room.joins", "nsp", namespace);
            counter("socketio.events.refused", "nsp", namespace, "reason", "rate_limited");
            counter("socketio.room.leaves", "nsp", namespace);
            recipients(namespace);
        }
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text exposition of every metric. */
    public String scrape() {
        return registry.scrape();
    }

    /** Gauges read from the server on each scrape: connections per namespace and transport, rooms, the limit. */
    public void bindServer(com.corundumstudio.socketio.SocketIOServer server, int maxConnections) {
        for (SocketIONamespace found : server.getAllNamespaces()) {
            String name = found.getName().isEmpty() ? "/" : found.getName();
            for (Transport transport : Transport.values()) {
                String tag = transport == Transport.WEBSOCKET ? "websocket" : "polling";
                Gauge.builder("socketio.connections", found, namespace -> count(namespace, transport))
                        .tags("nsp", name, "transport", tag).description("open sockets").register(registry);
            }
            if (found instanceof Namespace local) {
                Gauge.builder("socketio.rooms", local, namespace -> namespace.getRooms().stream()
                                .filter(room -> !room.equals(namespace.getName())).count())
                        .tags("nsp", name).description("rooms with at least one socket of this node").register(registry);
            }
        }
        Gauge.builder("socketio.connections.limit", () -> maxConnections)
                .description("connections this node accepts (MAX_CONNECTIONS; 0: no limit)").register(registry);
    }

    /** Cluster gauges and counters, read from the cluster link on each scrape. */
    public void bindCluster(Cluster cluster) {
        Gauge.builder("socketio.cluster.nodes", clusterNodes, AtomicInteger::get).description("nodes seen in the cluster").register(registry);
        Gauge.builder("socketio.cluster.redis.connected", cluster, c -> c.isConnected() ? 1 : 0)
                .description("1 when the Redis connection is up").register(registry);
        ClusterStats stats = cluster.stats().orElse(null);
        if (stats == null) {
            return;
        }
        functionCounter("socketio.cluster.messages.published", stats, ClusterStats::published, "messages published to Redis");
        FunctionCounter.builder("socketio.cluster.messages.received", stats, ClusterStats::received).tags("transport", stats.transport())
                .description("messages received from Redis").register(registry);
        functionCounter("socketio.cluster.buffered", stats, ClusterStats::buffered, "broadcasts held during a Redis outage");
        functionCounter("socketio.cluster.dropped", stats, ClusterStats::dropped, "broadcasts dropped during a Redis outage");
        functionCounter("socketio.cluster.reconnects", stats, ClusterStats::reconnects, "Redis reconnections");
        FunctionCounter.builder("socketio.cluster.bytes.received", stats, ClusterStats::bytesReceived).tags("transport", stats.transport())
                .description("bytes of the messages received from Redis").register(registry);
        Gauge.builder("socketio.cluster.subscriptions", stats, ClusterStats::subscriptions).tags("transport", stats.transport())
                .description("Redis channels and patterns this node is subscribed to").register(registry);
        functionCounter("socketio.cluster.topology.refreshes", stats, ClusterStats::topologyRefreshes, "Redis Cluster topology refreshes (adaptive, or periodic ones that found a change)");
        FunctionCounter.builder("socketio.cluster.malformed.messages", stats, ClusterStats::malformed).tags("transport", stats.transport())
                .description("messages from Redis that could not be read (ignored)").register(registry);
        for (String type : CLUSTER_REQUESTS) {
            requestTimer(type);
            counter("socketio.cluster.request.timeouts", "type", type);
        }
    }

    /** The number of nodes last seen (sampled by the node). */
    public void clusterNodes(int count) {
        clusterNodes.set(count);
    }

    /** One backend API request, by route and status. */
    public void apiRequest(String route, int status, long nanos) {
        timers.computeIfAbsent("api|" + route + "|" + status, key -> Timer.builder("gateway.api.requests")
                .tags("route", route, "status", Integer.toString(status)).description("backend API requests").register(registry))
                .record(Duration.ofNanos(nanos));
    }

    // ---- TrafficObserver -----------------------------------------------------------------------------------

    @Override
    public void connected(String namespace) {
        counter("socketio.connects", "nsp", nsp(namespace)).increment();
    }

    @Override
    public void disconnected(String namespace, String reason) {
        String known = DISCONNECT_REASONS.contains(reason) ? reason : OTHER;
        counter("socketio.disconnects", "nsp", nsp(namespace), "reason", known).increment();
    }

    @Override
    public void refused(String reason) {
        counter("socketio.connections.refused", "reason", REFUSAL_REASONS.contains(reason) ? reason : OTHER).increment();
    }

    @Override
    public void eventReceived(String namespace, String event) {
        counter("socketio.events.received", "nsp", nsp(namespace), "event", event(event)).increment();
    }

    @Override
    public void eventsSent(String namespace, String event, int count) {
        counter("socketio.events.sent", "nsp", nsp(namespace), "event", event(event)).increment(count);
    }

    @Override
    public void eventRefused(String namespace, String reason) {
        counter("socketio.events.refused", "nsp", nsp(namespace), "reason", reason).increment();
    }

    @Override
    public void closedForBehaviour(String reason) {
        counter("socketio.connections.closed.behaviour", "reason", reason).increment();
    }

    @Override
    public void bytesReceived(long bytes) {
        bytesIn.increment(bytes);
    }

    @Override
    public void bytesSent(long bytes) {
        bytesOut.increment(bytes);
    }

    @Override
    public void handled(String namespace, String event, long nanos) {
        String nsp = nsp(namespace);
        String name = event(event);
        timers.computeIfAbsent("handler|" + nsp + "|" + name, key -> Timer.builder("socketio.handler.duration")
                .tags("nsp", nsp, "event", name).serviceLevelObjectives(HANDLER_BUCKETS)
                .description("time an event handler ran").register(registry)).record(Duration.ofNanos(nanos));
    }

    @Override
    public void handlerFailed(String namespace, String event) {
        counter("socketio.handler.errors", "nsp", nsp(namespace), "event", event(event)).increment();
    }

    @Override
    public void validationFailed(String namespace, String event) {
        counter("socketio.validation.errors", "nsp", nsp(namespace), "event", event(event)).increment();
    }

    @Override
    public void roomJoined(String namespace) {
        counter("socketio.room.joins", "nsp", nsp(namespace)).increment();
    }

    @Override
    public void roomLeft(String namespace) {
        counter("socketio.room.leaves", "nsp", nsp(namespace)).increment();
    }

    @Override
    public void ackRequested() {
        pendingAcks.incrementAndGet();
    }

    @Override
    public void ackAnswered(long nanos) {
        pendingAcks.decrementAndGet();
        ackLatency.record(Duration.ofNanos(nanos));
    }

    @Override
    public void ackTimedOut() {
        pendingAcks.decrementAndGet();
        ackTimeouts.increment();
    }

    // ---- ClusterObserver -----------------------------------------------------------------------------------

    @Override
    public void delivered(String namespace, int recipients) {
        recipients(nsp(namespace)).record(recipients);
    }

    @Override
    public void published(long nanos) {
        publishLatency.record(Duration.ofNanos(nanos));
    }

    @Override
    public void requestCompleted(String type, long nanos) {
        requestTimer(type).record(Duration.ofNanos(nanos));
    }

    @Override
    public void requestTimedOut(String type) {
        counter("socketio.cluster.request.timeouts", "type", CLUSTER_REQUESTS.contains(type) ? type : OTHER).increment();
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private String nsp(String namespace) {
        return namespaces.contains(namespace) ? namespace : OTHER;
    }

    private String event(String event) {
        return events.contains(event) ? event : OTHER;
    }

    /** Looked up on every event received or sent: a plain string key, because building {@link Tags} sorts and streams. */
    private Counter counter(String name, String... tagKeysAndValues) {
        return counters.computeIfAbsent(name + '|' + String.join("|", tagKeysAndValues),
                key -> Counter.builder(name).tags(tagKeysAndValues).register(registry));
    }

    private DistributionSummary recipients(String namespace) {
        return fanOut.computeIfAbsent(namespace, key -> DistributionSummary.builder("socketio.broadcast.recipients")
                .tags("nsp", key).serviceLevelObjectives(FANOUT_BUCKETS)
                .description("sockets of this node each broadcast reached").register(registry));
    }

    private Timer requestTimer(String type) {
        String known = CLUSTER_REQUESTS.contains(type) ? type : OTHER;
        return timers.computeIfAbsent("request|" + known, key -> Timer.builder("socketio.cluster.request.duration")
                .tags("type", known).serviceLevelObjectives(LATENCY_BUCKETS)
                .description("time until every node answered a cluster request").register(registry));
    }

    private <T> void functionCounter(String name, T source, ToDoubleFunction<T> value, String description) {
        FunctionCounter.builder(name, source, value).description(description).register(registry);
    }

    private static double count(SocketIONamespace namespace, Transport transport) {
        int count = 0;
        for (SocketIOClient client : namespace.getAllClients()) {
            if (client.getTransport() == transport) {
                count++;
            }
        }
        return count;
    }

    private static Duration[] durations(long... millis) {
        Duration[] result = new Duration[millis.length];
        for (int i = 0; i < millis.length; i++) {
            result[i] = Duration.ofMillis(millis[i]);
        }
        return result;
    }

    private static Duration[] micros(long... micros) {
        Duration[] result = new Duration[micros.length];
        for (int i = 0; i < micros.length; i++) {
            result[i] = Duration.ofNanos(micros[i] * 1000);
        }
        return result;
    }
}
