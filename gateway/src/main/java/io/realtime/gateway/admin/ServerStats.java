package io.realtime.gateway.admin;

import io.realtime.gateway.socketio.NamespaceNames;
import com.corundumstudio.socketio.SocketIONamespace;
import io.realtime.gateway.server.GatewayServer;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One {@code server_stats} report of this node, the fields {@code instrument()} sends: serverId, hostname, pid,
 * uptime (seconds), clientsCount, pollingClientsCount, aggregatedEvents, namespaces ({@code {name, socketsCount}}).
 */
final class ServerStats {

    private final GatewayServer server;
    private final AdminTraffic traffic;
    private final String serverId;
    private final String hostname;
    private final long pid = ProcessHandle.current().pid();

    ServerStats(GatewayServer server, AdminTraffic traffic, String nodeId, String hostname) {
        this.server = server;
        this.traffic = traffic;
        this.hostname = hostname;
        // The UI keys servers by serverId: a node named after its host (the default) adds its pid, as cluster workers do.
        this.serverId = nodeId.equals(hostname) ? hostname + "#" + pid : nodeId;
    }

    String serverId() {
        return serverId;
    }

    Map<String, Object> next() {
        List<Map<String, Object>> namespaces = new ArrayList<>();
        for (SocketIONamespace namespace : server.getAllNamespaces()) {
            namespaces.add(Map.of("name", NamespaceNames.wire(namespace.getName()),
                    "socketsCount", namespace.getAllClients().size()));
        }
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("serverId", serverId);
        stats.put("hostname", hostname);
        stats.put("pid", pid);
        stats.put("uptime", ManagementFactory.getRuntimeMXBean().getUptime() / 1000.0);
        stats.put("clientsCount", server.sessionCount());
        stats.put("pollingClientsCount", traffic.pollingClients());
        stats.put("aggregatedEvents", traffic.takeEvents());
        stats.put("namespaces", namespaces);
        return stats;
    }
}
