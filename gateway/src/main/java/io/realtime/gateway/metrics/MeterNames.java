package io.realtime.gateway.metrics;

/**
 * Every meter name of the node, in Micrometer's dotted form; Prometheus sees {@code socketio.connects} as
 * {@code socketio_connects_total}. The Grafana dashboard, the alert rules and the Kubernetes manifests use these
 * names: renaming one breaks them (PrometheusDashboardTest and KubernetesManifestsTest check).
 */
public final class MeterNames {

    public static final String CONNECTIONS = "socketio.connections";
    public static final String CONNECTIONS_LIMIT = "socketio.connections.limit";
    /** Open Engine.IO sessions (connections, whatever namespaces they joined): what the limit counts. */
    public static final String SESSIONS = "socketio.sessions";
    public static final String CONNECTIONS_REFUSED = "socketio.connections.refused";
    public static final String CONNECTIONS_CLOSED_BEHAVIOUR = "socketio.connections.closed.behaviour";
    /** HTTP connections closed by a port's request or idle deadline or its decoder's limits, by port and reason. */
    public static final String HTTP_CLOSED = "socketio.http.closed";
    public static final String ROOMS = "socketio.rooms";
    public static final String CONNECTS = "socketio.connects";
    public static final String DISCONNECTS = "socketio.disconnects";
    public static final String EVENTS_RECEIVED = "socketio.events.received";
    public static final String EVENTS_SENT = "socketio.events.sent";
    public static final String EVENTS_REFUSED = "socketio.events.refused";
    public static final String HANDLER_DURATION = "socketio.handler.duration";
    public static final String HANDLER_ERRORS = "socketio.handler.errors";
    public static final String VALIDATION_ERRORS = "socketio.validation.errors";
    public static final String ROOM_JOINS = "socketio.room.joins";
    public static final String ROOM_LEAVES = "socketio.room.leaves";
    public static final String BYTES_RECEIVED = "socketio.received";
    public static final String BYTES_SENT = "socketio.sent";
    public static final String ACKS_PENDING = "socketio.acks.pending";
    public static final String ACK_LATENCY = "socketio.ack.latency";
    public static final String ACK_TIMEOUTS = "socketio.ack.timeouts";
    public static final String RECOVERIES = "socketio.recoveries";
    public static final String RECOVERIES_FAILED = "socketio.recoveries.failed";
    public static final String RECOVERY_REPLAYED = "socketio.recovery.replayed";

    public static final String BROADCAST_RECIPIENTS = "socketio.broadcast.recipients";
    public static final String CLUSTER_NODES = "socketio.cluster.nodes";
    public static final String CLUSTER_REDIS_CONNECTED = "socketio.cluster.redis.connected";
    public static final String CLUSTER_PUBLISH_LATENCY = "socketio.cluster.publish.latency";
    public static final String CLUSTER_MESSAGES_PUBLISHED = "socketio.cluster.messages.published";
    public static final String CLUSTER_MESSAGES_RECEIVED = "socketio.cluster.messages.received";
    public static final String CLUSTER_BYTES_RECEIVED = "socketio.cluster.bytes.received";
    public static final String CLUSTER_MALFORMED_MESSAGES = "socketio.cluster.malformed.messages";
    public static final String CLUSTER_SUBSCRIPTIONS = "socketio.cluster.subscriptions";
    public static final String CLUSTER_TOPOLOGY_REFRESHES = "socketio.cluster.topology.refreshes";
    public static final String CLUSTER_BUFFERED = "socketio.cluster.buffered";
    public static final String CLUSTER_DROPPED = "socketio.cluster.dropped";
    public static final String CLUSTER_UNDELIVERED = "socketio.cluster.undelivered";
    public static final String CLUSTER_RECONNECTS = "socketio.cluster.reconnects";
    public static final String CLUSTER_HELD = "socketio.cluster.held";
    public static final String CLUSTER_HELD_LIMIT = "socketio.cluster.held.limit";
    public static final String CLUSTER_PUBLISH_FAILURES = "socketio.cluster.publish.failures";
    public static final String CLUSTER_PUBLISH_UNCONFIRMED = "socketio.cluster.publish.unconfirmed";
    public static final String CLUSTER_REQUEST_FAILURES = "socketio.cluster.request.failures";
    public static final String CLUSTER_REQUEST_DURATION = "socketio.cluster.request.duration";
    public static final String CLUSTER_REQUEST_TIMEOUTS = "socketio.cluster.request.timeouts";
    public static final String CLUSTER_REQUESTS_REFUSED = "socketio.cluster.requests.refused";
    public static final String CLUSTER_WORK_QUEUED = "socketio.cluster.work.queued";
    public static final String CLUSTER_HANDLER_FAILURES = "socketio.cluster.handler.failures";
    public static final String CLUSTER_BROKEN = "socketio.cluster.broken";

    /** The slowest event loop's lag (health.EventLoopWatchdog): a loop a handler blocks shows here. */
    public static final String EVENT_LOOP_LAG = "socketio.event.loop.lag";

    public static final String API_REQUESTS = "gateway.api.requests";
    public static final String NETTY_DIRECT_MEMORY_USED = "netty.direct.memory.used";

    /** Tag keys. {@code nsp}, not {@code namespace}: Kubernetes' own target label would clash. */
    public static final String NSP = "nsp";
    public static final String EVENT = "event";
    public static final String REASON = "reason";
    public static final String TRANSPORT = "transport";
    public static final String TYPE = "type";
    public static final String ROUTE = "route";
    public static final String STATUS = "status";
    /** Which HTTP port: {@code socketio} or {@code internal} (MANAGEMENT_PORT). */
    public static final String PORT = "port";

    /** The tag value of every namespace, event or type that is not known in advance (bounded cardinality). */
    public static final String OTHER = "other";

    private MeterNames() {
    }
}
