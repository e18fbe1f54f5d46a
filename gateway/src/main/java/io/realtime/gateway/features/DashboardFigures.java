package io.realtime.gateway.features;

import com.corundumstudio.socketio.SocketIONamespace;
import com.corundumstudio.socketio.SocketIOServer;
import com.corundumstudio.socketio.namespace.Namespace;
import io.realtime.gateway.socketio.NamespaceNames;
import io.realtime.gateway.stats.TrafficTotals;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The dashboard's live figures of this node: connections and rooms per namespace, events per second in and out
 * (over the last sampling period), node id and uptime.
 */
public final class DashboardFigures {

    private final SocketIOServer server;
    private final TrafficTotals stats;
    private final String nodeId;
    private final Clock clock;
    private final Instant startedAt;

    private long lastIn;
    private long lastOut;
    private Instant lastSampleAt;
    private volatile Map<String, Object> current;

    public DashboardFigures(SocketIOServer server, TrafficTotals stats, String nodeId, Clock clock) {
        this.server = server;
        this.stats = stats;
        this.nodeId = nodeId;
        this.clock = clock;
        this.startedAt = clock.instant();
        this.lastSampleAt = startedAt;
        this.current = figures(0, 0);
    }

    /**
     * The most recent figures, with connections as they are right now; rooms as the last sample counted them
     * (counting walks every room of the node, one per socket: not on each dashboard that connects).
     */
    public Map<String, Object> current() {
        Map<String, Object> latest = new LinkedHashMap<>(current);
        Map<String, Integer> connections = connections();
        latest.put("uptimeSeconds", Duration.between(startedAt, clock.instant()).toSeconds());
        latest.put("connections", connections);
        latest.put("totalConnections", total(connections));
        latest.put("at", clock.millis());
        return latest;
    }

    /** Takes a new sample: rates over the time since the previous one. */
    public synchronized Map<String, Object> sample() {
        Instant now = clock.instant();
        long in = stats.eventsReceived();
        long out = stats.eventsSent();
        double seconds = Math.max(Duration.between(lastSampleAt, now).toMillis(), 1) / 1000.0;
        Map<String, Object> sampled = figures((in - lastIn) / seconds, (out - lastOut) / seconds);
        lastIn = in;
        lastOut = out;
        lastSampleAt = now;
        current = sampled;
        return sampled;
    }

    private Map<String, Object> figures(double inPerSecond, double outPerSecond) {
        Map<String, Integer> connections = connections();
        Map<String, Integer> rooms = new TreeMap<>();
        for (SocketIONamespace namespace : server.getAllNamespaces()) {
            if (namespace instanceof Namespace local) {
                // Every socket sits in a room named after its namespace; that one is not a room users made.
                rooms.put(NamespaceNames.wire(namespace),
                        (int) local.getRooms().stream().filter(room -> !room.equals(namespace.getName())).count());
            }
        }
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("nodeId", nodeId);
        figures.put("uptimeSeconds", Duration.between(startedAt, clock.instant()).toSeconds());
        figures.put("connections", connections);
        figures.put("totalConnections", total(connections));
        figures.put("rooms", rooms);
        figures.put("eventsInPerSecond", round(inPerSecond));
        figures.put("eventsOutPerSecond", round(outPerSecond));
        figures.put("at", clock.millis());
        return figures;
    }

    /** Sockets per namespace, by wire name. */
    private Map<String, Integer> connections() {
        Map<String, Integer> connections = new TreeMap<>();
        for (SocketIONamespace namespace : server.getAllNamespaces()) {
            connections.put(NamespaceNames.wire(namespace), namespace.getAllClients().size());
        }
        return connections;
    }

    private static int total(Map<String, Integer> connections) {
        return connections.values().stream().mapToInt(Integer::intValue).sum();
    }

    private static double round(double value) {
        return Math.round(value * 10) / 10.0;
    }
}
