package io.realtime.gateway.broadcast;

import com.corundumstudio.socketio.SocketIOClient;
import com.corundumstudio.socketio.SocketIONamespace;
import com.corundumstudio.socketio.SocketIOServer;
import com.corundumstudio.socketio.namespace.Namespace;

import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** Delivers broadcasts to the sockets of this node. */
public final class LocalBroadcaster implements Broadcaster {

    private final SocketIOServer server;

    public LocalBroadcaster(SocketIOServer server) {
        this.server = server;
    }

    @Override
    public int emit(BroadcastTarget target, String event, Object... args) {
        Collection<SocketIOClient> recipients = recipients(target);
        for (SocketIOClient client : recipients) {
            client.sendEvent(event, args);
        }
        return recipients.size();
    }

    /** The local sockets a target selects, each once. */
    public Collection<SocketIOClient> recipients(BroadcastTarget target) {
        SocketIONamespace found = server.getNamespace("/".equals(target.namespace()) ? Namespace.DEFAULT_NAME : target.namespace());
        if (!(found instanceof Namespace namespace)) {
            return Set.of();
        }
        Map<UUID, SocketIOClient> selected = new LinkedHashMap<>();
        if (target.rooms().isEmpty()) {
            namespace.getAllClients().forEach(client -> selected.put(client.getSessionId(), client));
        } else {
            for (String room : target.rooms()) {
                namespace.getRoomClients(room).forEach(client -> selected.put(client.getSessionId(), client));
            }
        }
        Set<UUID> excluded = new HashSet<>();
        for (String room : target.except()) {
            namespace.getRoomClients(room).forEach(client -> excluded.add(client.getSessionId()));
        }
        if (target.excludedSocket() != null) {
            excluded.add(target.excludedSocket());
        }
        selected.keySet().removeAll(excluded);
        return selected.values();
    }
}
