package io.realtime.gateway.health;

import io.realtime.cluster.Cluster;
import io.realtime.gateway.server.GatewayServer;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Liveness and readiness of the node. Ready only while it serves: not before it listens, not while it drains.
 * A Redis outage shows as {@code DEGRADED} but keeps the node ready: if every pod turned unready when Redis blinks,
 * Kubernetes would cut off every client, while each node can still serve its own. A cluster broken for good
 * ({@link Cluster#failure}: the thread reading the stream died) is another matter: the node would miss every other
 * node's broadcast from then on and nothing heals it, so it is neither live (Kubernetes restarts it) nor ready.
 * So is an event loop that runs nothing ({@link EventLoopWatchdog}): unready once it is
 * {@link EventLoopWatchdog#UNREADY_AFTER} behind, not live once it is {@link EventLoopWatchdog#DEAD_AFTER} behind.
 */
public final class NodeHealth {

    public enum Phase { STARTING, SERVING, DRAINING }

    /** A health answer: whether it is good news, and the JSON body to send. */
    public record Report(boolean ok, Map<String, Object> body) {
    }

    private final GatewayServer server;
    private final Cluster cluster;
    private volatile Phase phase = Phase.STARTING;
    /** Set once the node stops for good (SIGTERM's drain, or a stop): nothing makes it serve again. */
    private volatile boolean stopping;
    /** Counts the pre-stop calls: only the expiry of the latest may undo one. Guarded by {@code this}. */
    private long preStops;

    private final EventLoopWatchdog loops;

    /** A node whose event loops are not watched. */
    public NodeHealth(GatewayServer server, Cluster cluster) {
        this(server, cluster, EventLoopWatchdog.NONE);
    }

    public NodeHealth(GatewayServer server, Cluster cluster, EventLoopWatchdog loops) {
        this.server = server;
        this.cluster = cluster;
        this.loops = loops;
    }

    public synchronized void serving() {
        phase = Phase.SERVING;
    }

    /** The node stops: unready from now on. */
    public synchronized void draining() {
        stopping = true;
        phase = Phase.DRAINING;
    }

    /**
     * Kubernetes' pre-stop hook: unready now, so balancers drop the pod before SIGTERM starts the drain. Only the
     * hook says so, which anything that reaches the internal port can call: {@link #preStopExpired} undoes it.
     * Returns this call's number, for its expiry.
     */
    public synchronized long preStop() {
        if (phase == Phase.SERVING) {
            phase = Phase.DRAINING;
        }
        return ++preStops;
    }

    /**
     * No stop followed pre-stop call {@code call} in time (a SIGTERM comes within the pod's grace period): it was not
     * Kubernetes stopping the pod, and the node serves again, unless the hook was called again since (its own expiry
     * decides) or the node is stopping. Whether it serves again.
     */
    public synchronized boolean preStopExpired(long call) {
        if (stopping || phase != Phase.DRAINING || call != preStops) {
            return false;
        }
        phase = Phase.SERVING;
        return true;
    }

    public Phase phase() {
        return phase;
    }

    public Report live() {
        Optional<String> failure = cluster.failure();
        Duration lag = loops.lag();
        boolean stuck = lag.compareTo(EventLoopWatchdog.DEAD_AFTER) >= 0;
        if (failure.isEmpty() && !stuck) {
            return new Report(true, Map.of("status", "UP"));
        }
        Map<String, Object> checks = new LinkedHashMap<>();
        if (failure.isPresent()) {
            checks.put("redis", redisCheck(failure));
        }
        if (stuck) {
            checks.put("eventLoops", loopsCheck(lag, false));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "DOWN");
        body.put("checks", checks);
        return new Report(false, body);
    }

    public Report ready() {
        boolean serving = phase == Phase.SERVING;
        Optional<String> failure = cluster.failure();
        Duration lag = loops.lag();
        boolean loopsRunning = lag.compareTo(EventLoopWatchdog.UNREADY_AFTER) < 0;
        boolean ready = serving && failure.isEmpty() && loopsRunning;
        Map<String, Object> socketIo = new LinkedHashMap<>();
        socketIo.put("status", serving ? "UP" : "DOWN");
        socketIo.put("phase", phase.name().toLowerCase());
        socketIo.put("connections", server.sessionCount());
        Map<String, Object> redis = redisCheck(failure);
        Map<String, Object> checks = new LinkedHashMap<>();
        checks.put("socketio", socketIo);
        checks.put("redis", redis);
        checks.put("eventLoops", loopsCheck(lag, loopsRunning));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", !ready ? "DOWN" : "DEGRADED".equals(redis.get("status")) ? "DEGRADED" : "UP");
        body.put("checks", checks);
        return new Report(ready, body);
    }

    private static Map<String, Object> loopsCheck(Duration lag, boolean running) {
        Map<String, Object> check = new LinkedHashMap<>();
        check.put("status", running ? "UP" : "DOWN");
        check.put("lagMillis", lag.toMillis());
        if (!running) {
            check.put("reason", "an event loop has run nothing for " + lag.toSeconds() + " s (a handler blocks it?)");
        }
        return check;
    }

    private Map<String, Object> redisCheck(Optional<String> failure) {
        Map<String, Object> redis = new LinkedHashMap<>();
        if (failure.isPresent()) {
            redis.put("status", "DOWN");
            redis.put("reason", failure.get());
        } else {
            redis.put("status", !cluster.isClustered() ? "NOT_CONFIGURED" : cluster.isConnected() ? "UP" : "DEGRADED");
        }
        return redis;
    }
}
