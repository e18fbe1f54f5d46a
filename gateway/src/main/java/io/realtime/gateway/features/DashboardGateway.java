package io.realtime.gateway.features;

import com.corundumstudio.socketio.SocketIOClient;
import com.corundumstudio.socketio.annotation.OnConnect;
import io.realtime.cluster.ClusterNamespace;
import io.realtime.cluster.ClusterTimeoutException;
import io.realtime.gateway.api.Emits;
import io.realtime.gateway.api.Gateway;
import io.realtime.gateway.broadcast.BroadcastTarget;
import io.realtime.gateway.broadcast.Broadcaster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Live figures: every client of {@code /dashboard} gets them at connection, then every interval, with this node's
 * figures, the cluster's totals and a per-node breakdown. The other nodes are asked with the server-side event
 * {@code nodeInfo} on {@code /}, which every node answers with its own figures, so any socket.io server in the
 * cluster can ask too ({@code serverSideEmitWithAck("nodeInfo")}).
 */
@Gateway(namespace = "/dashboard")
@Emits({Events.DASHBOARD_UPDATE})
public final class DashboardGateway implements AutoCloseable {

    public static final String NODE_INFO = "nodeInfo";

    private static final Logger log = LoggerFactory.getLogger(DashboardGateway.class);

    private final Broadcaster broadcaster;
    private final DashboardFigures figures;
    private final ClusterNamespace main;
    private volatile ScheduledFuture<?> ticker;
    private volatile List<Map<String, Object>> lastNodes = List.of();
    private volatile Duration roundTimeout = Duration.ofSeconds(1);
    /** Whether a round of {@code nodeInfo} is waiting for its answers: rounds never overlap. */
    private final java.util.concurrent.atomic.AtomicBoolean asking = new java.util.concurrent.atomic.AtomicBoolean();

    public DashboardGateway(Broadcaster broadcaster, DashboardFigures figures, ClusterNamespace main) {
        this.broadcaster = broadcaster;
        this.figures = figures;
        this.main = main;
        main.onServerSideEmit(NODE_INFO, (args, ack) -> {
            if (ack != null) {
                ack.accept(figures.current());
            }
        });
    }

    /**
     * Starts sending figures every {@code interval} on {@code scheduler} (the node's, shared with its other periodic
     * work: publishing only samples counters and hands a broadcast over, it never waits).
     */
    public DashboardGateway start(Duration interval, ScheduledExecutorService scheduler) {
        roundTimeout = Duration.ofMillis(Math.max(1, interval.toMillis() / 2));
        // A run that throws would cancel every later one (scheduleAtFixedRate), and the dashboards would freeze.
        ticker = scheduler.scheduleAtFixedRate(this::publishGuarded, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    @OnConnect
    public void onConnect(SocketIOClient client) {
        Map<String, Object> local = figures.current();
        client.sendEvent(Events.DASHBOARD_UPDATE, withCluster(local, otherNodes(lastNodes, local)));
    }

    private void publishGuarded() {
        try {
            publish();
        } catch (RuntimeException e) {
            log.error("dashboard figures not published this round", e);
        }
    }

    void publish() {
        Map<String, Object> local = figures.sample();
        if (!asking.compareAndSet(false, true)) {
            // The last round still waits (Redis itself is slow to answer): rounds never overlap, and the dashboards
            // get this node's figures now with what the others said last.
            broadcaster.emit(BroadcastTarget.everyone("/dashboard").onThisNode(), Events.DASHBOARD_UPDATE,
                    withCluster(local, otherNodes(lastNodes, local)));
            return;
        }
        // A server that does not answer (a Node server without the listener, one just killed) holds a round back
        // half an interval at most, not the cluster's request timeout: the others' answers go out on time.
        try {
            main.timeout(roundTimeout).serverSideEmitWithAck(NODE_INFO).whenComplete((answers, failure) -> {
                asking.set(false);
                publish(local, answers, failure);
            });
        } catch (RuntimeException e) {
            asking.set(false);
            publish(local, List.of(), e);
        }
    }

    private void publish(Map<String, Object> local, List<Object> answers, Throwable failure) {
        List<Object> received = answers;
        if (failure != null) {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            received = cause instanceof ClusterTimeoutException timeout ? timeout.partialResults() : List.of();
            log.debug("nodeInfo: {}", cause.toString());
        }
        List<Map<String, Object>> nodes = new ArrayList<>();
        for (Object answer : received) {
            if (answer instanceof Map<?, ?> map) {
                Map<String, Object> node = new LinkedHashMap<>();
                map.forEach((key, value) -> node.put(String.valueOf(key), value));
                nodes.add(node);
            }
        }
        lastNodes = nodes;
        broadcaster.emit(BroadcastTarget.everyone("/dashboard").onThisNode(), Events.DASHBOARD_UPDATE, withCluster(local, nodes));
    }

    private static List<Map<String, Object>> otherNodes(List<Map<String, Object>> nodes, Map<String, Object> local) {
        return nodes.stream().filter(node -> !local.get("nodeId").equals(node.get("nodeId"))).toList();
    }

    /** This node's figures, plus {@code nodes} (every node, this one first) and {@code cluster} totals. */
    static Map<String, Object> withCluster(Map<String, Object> local, List<Map<String, Object>> others) {
        List<Map<String, Object>> nodes = new ArrayList<>();
        nodes.add(local);
        nodes.addAll(others);
        Map<String, Long> connections = new TreeMap<>();
        long totalConnections = 0;
        double eventsIn = 0;
        double eventsOut = 0;
        for (Map<String, Object> node : nodes) {
            if (node.get("connections") instanceof Map<?, ?> perNamespace) {
                perNamespace.forEach((namespace, count) -> connections.merge(String.valueOf(namespace), number(count).longValue(), Long::sum));
            }
            totalConnections += number(node.get("totalConnections")).longValue();
            eventsIn += number(node.get("eventsInPerSecond")).doubleValue();
            eventsOut += number(node.get("eventsOutPerSecond")).doubleValue();
        }
        Map<String, Object> cluster = new LinkedHashMap<>();
        cluster.put("nodeCount", nodes.size());
        cluster.put("totalConnections", totalConnections);
        cluster.put("connections", connections);
        cluster.put("eventsInPerSecond", Math.round(eventsIn * 10) / 10.0);
        cluster.put("eventsOutPerSecond", Math.round(eventsOut * 10) / 10.0);
        Map<String, Object> update = new LinkedHashMap<>(local);
        update.put("cluster", cluster);
        update.put("nodes", nodes);
        return update;
    }

    private static Number number(Object value) {
        return value instanceof Number number ? number : 0;
    }

    @Override
    public void close() {
        if (ticker != null) {
            ticker.cancel(false);
        }
    }
}
