package io.realtime.gateway.testing;

import com.corundumstudio.socketio.SocketIONamespace;
import com.corundumstudio.socketio.SocketIOServer;
import io.realtime.cluster.Cluster;
import io.realtime.cluster.LocalAdapter;

import io.realtime.cluster.SocketIds;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Events the connection state recovery tests drive on the main namespace: join a room, keep data, read the
 * socket's state back, and send numbered events to a room through the cluster (the way features send) or
 * through netty-socketio's room operations.
 */
public final class RecoveryFixtures {

    private RecoveryFixtures() {
    }

    public static void install(SocketIOServer server, Cluster cluster) {
        SocketIONamespace main = server.getNamespace("");
        main.addEventListener("join", String.class, (client, room, ack) -> {
            client.joinRoom(room);
            ack.sendAckData("joined");
        });
        main.addEventListener("set-data", Object.class, (client, data, ack) -> {
            client.set(LocalAdapter.SOCKET_DATA_KEY, data);
            ack.sendAckData("kept");
        });
        main.addEventListener("state", Object.class, (client, data, ack) -> {
            Map<String, Object> state = new LinkedHashMap<>();
            state.put("id", SocketIds.wire(client.getSessionId()));
            state.put("rooms", List.copyOf(new TreeSet<>(client.getAllRooms()).stream().filter(r -> !r.isEmpty()).toList()));
            state.put("data", client.get(LocalAdapter.SOCKET_DATA_KEY));
            ack.sendAckData(state);
        });
        // {room, event, from, count}: count numbered events, from the cluster's operators.
        main.addEventListener("to-room", Map.class, (client, order, ack) -> {
            String room = (String) order.get("room");
            String event = (String) order.get("event");
            int from = ((Number) order.get("from")).intValue();
            int count = ((Number) order.get("count")).intValue();
            for (int i = from; i < from + count; i++) {
                cluster.of("/").to(room).emit(event, i);
            }
            ack.sendAckData(count);
        });
        // The same through netty-socketio's room operations, which hand each socket the packet itself.
        main.addEventListener("to-room-direct", Map.class, (client, order, ack) -> {
            String room = (String) order.get("room");
            int from = ((Number) order.get("from")).intValue();
            int count = ((Number) order.get("count")).intValue();
            for (int i = from; i < from + count; i++) {
                server.getRoomOperations(room).sendEvent((String) order.get("event"), i);
            }
            ack.sendAckData(count);
        });
    }
}
