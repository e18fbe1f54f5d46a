package io.realtime.gateway.admin;

import com.corundumstudio.socketio.SocketIOClient;
import com.corundumstudio.socketio.Transport;
import io.realtime.cluster.LocalAdapter;
import io.realtime.cluster.SocketDetails;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Sockets as the Admin UI shows them ({@code instrument()}'s {@code serialize}), and the {@code socket.data._admin}
 * entry ({@code {clientId, transport}}) that makes our sockets readable by any node's UI: {@code fetchSockets}
 * answers carry {@code data}, and a Node.js node lists remote sockets from it.
 */
final class AdminSockets {

    static final String ADMIN_KEY = "_admin";

    private AdminSockets() {
    }

    static String transportName(Transport transport) {
        return transport == Transport.WEBSOCKET ? "websocket" : "polling";
    }

    /**
     * Gives the socket's {@code data} its {@code _admin} entry (kept up to date on upgrade by {@link #setTransport}),
     * when its data is a map or none; a value of another kind is the application's and stays as it is, untagged.
     *
     * @param onChange told of each later change of the data's entries, when the data is (now) a {@link SocketDataMap};
     *                 {@code null} for none
     * @return whether the data was replaced by a tagged copy ({@code client.set}, which a connected socket reports as
     *         a change of its data)
     */
    @SuppressWarnings("unchecked")
    static boolean tag(SocketIOClient client, String clientId, Transport transport, Runnable onChange) {
        Object data = client.get(LocalAdapter.SOCKET_DATA_KEY);
        Map<String, Object> map;
        boolean replaced = false;
        if (data instanceof SocketDataMap existing) {
            map = existing;
        } else if (data instanceof ConcurrentMap<?, ?> concurrent) {
            // Already thread-safe, and the application may hold it and write to it later: a copy would take those
            // writes away from what fetchSockets and the UI read. (It takes no null values, as the application knows.)
            map = (Map<String, Object>) concurrent;
        } else if (data == null || data instanceof Map<?, ?>) {
            // Thread-safe, and null values kept (socket.data may hold them): see SocketDataMap.
            map = data == null ? new SocketDataMap() : SocketDataMap.copyOf((Map<?, ?>) data);
            client.set(LocalAdapter.SOCKET_DATA_KEY, map);
            replaced = true;
        } else {
            return false;
        }
        Map<String, Object> admin = new ConcurrentHashMap<>();
        admin.put("clientId", clientId);
        admin.put("transport", transportName(transport));
        map.put(ADMIN_KEY, admin);
        if (onChange != null && map instanceof SocketDataMap ours) {
            ours.onChange(onChange);
        }
        return replaced;
    }

    /** Whether the socket's data carries its {@code _admin} entry. */
    static boolean isTagged(SocketIOClient client) {
        return client.get(LocalAdapter.SOCKET_DATA_KEY) instanceof Map<?, ?> data && data.containsKey(ADMIN_KEY);
    }

    @SuppressWarnings("unchecked")
    static void setTransport(SocketIOClient client, String transport) {
        if (client.get(LocalAdapter.SOCKET_DATA_KEY) instanceof Map<?, ?> data && data.get(ADMIN_KEY) instanceof Map<?, ?> admin) {
            ((Map<String, Object>) admin).put("transport", transport);
        }
    }

    /** One socket of any node, from a {@code fetchSockets} answer. */
    static Map<String, Object> serialize(SocketDetails socket, String nsp) {
        Map<?, ?> data = socket.data() instanceof Map<?, ?> map ? map : Map.of();
        Map<?, ?> admin = data.get(ADMIN_KEY) instanceof Map<?, ?> map ? map : Map.of();
        Map<String, Object> handshake = socket.handshake() == null ? Map.of() : socket.handshake();
        Map<?, ?> headers = handshake.get("headers") instanceof Map<?, ?> map ? map : Map.of();
        Object address = headers.get("cf-connecting-ip") != null ? headers.get("cf-connecting-ip")
                : headers.get("x-forwarded-for") != null ? headers.get("x-forwarded-for") : handshake.get("address");
        Map<String, Object> shown = new LinkedHashMap<>();
        shown.put("address", address);
        shown.put("headers", headers);
        shown.put("query", handshake.get("query"));
        shown.put("issued", handshake.get("issued"));
        shown.put("secure", handshake.get("secure"));
        shown.put("time", handshake.get("time"));
        shown.put("url", handshake.get("url"));
        shown.put("xdomain", handshake.get("xdomain"));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", socket.id());
        out.put("clientId", admin.get("clientId"));
        out.put("transport", admin.get("transport"));
        out.put("nsp", nsp);
        out.put("data", withoutAdmin(data));
        out.put("handshake", shown);
        out.put("rooms", new ArrayList<>(socket.rooms()));
        return out;
    }

    static Map<String, Object> withoutAdmin(Object data) {
        Map<String, Object> rest = new LinkedHashMap<>();
        if (data instanceof Map<?, ?> map) {
            map.forEach((key, value) -> {
                if (!ADMIN_KEY.equals(key)) {
                    rest.put(String.valueOf(key), value);
                }
            });
        }
        return rest;
    }

    static List<Map<String, Object>> serializeAll(List<SocketDetails> sockets, String nsp) {
        List<Map<String, Object>> out = new ArrayList<>(sockets.size());
        sockets.forEach(socket -> out.add(serialize(socket, nsp)));
        return out;
    }
}
