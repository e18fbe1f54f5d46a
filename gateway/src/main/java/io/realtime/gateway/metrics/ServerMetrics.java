package io.realtime.gateway.metrics;

import com.corundumstudio.socketio.SocketIOClient;
import com.corundumstudio.socketio.SocketIONamespace;
import com.corundumstudio.socketio.SocketIOServer;
import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.namespace.Namespace;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.realtime.gateway.socketio.NamespaceNames;

import java.util.function.IntSupplier;

/**
 * Gauges read from the server on each scrape: open sockets per namespace and transport, rooms per namespace, open
 * connections and the connection limit. The namespaces are those of the server when bound.
 */
public final class ServerMetrics implements MeterBinder {

    private final SocketIOServer server;
    private final int maxConnections;
    private final IntSupplier sessions;

    /**
     * @param maxConnections the node's connection limit, for the gauge ({@code 0}: no limit)
     * @param sessions       the open connections (Engine.IO sessions), which the limit counts: a connection may hold
     *                       a socket in several namespaces, or none yet
     */
    public ServerMetrics(SocketIOServer server, int maxConnections, IntSupplier sessions) {
        this.server = server;
        this.sessions = sessions;
        this.maxConnections = maxConnections;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (SocketIONamespace found : server.getAllNamespaces()) {
            String name = NamespaceNames.wire(found);
            for (Transport transport : Transport.values()) {
                String tag = transport == Transport.WEBSOCKET ? "websocket" : "polling";
                Gauge.builder(MeterNames.CONNECTIONS, found, namespace -> count(namespace, transport))
                        .tags(MeterNames.NSP, name, MeterNames.TRANSPORT, tag).description("open sockets").register(registry);
            }
            if (found instanceof Namespace local) {
                // Every socket sits in a room named after its namespace; that one is not a room users made.
                Gauge.builder(MeterNames.ROOMS, local, namespace -> namespace.getRooms().stream()
                                .filter(room -> !room.equals(namespace.getName())).count())
                        .tags(MeterNames.NSP, name).description("rooms with at least one socket of this node").register(registry);
            }
        }
        Gauge.builder(MeterNames.SESSIONS, sessions::getAsInt)
                .description("open connections (Engine.IO sessions), as MAX_CONNECTIONS counts them").register(registry);
        Gauge.builder(MeterNames.CONNECTIONS_LIMIT, () -> maxConnections)
                .description("connections this node accepts (MAX_CONNECTIONS; 0: no limit)").register(registry);
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
}
