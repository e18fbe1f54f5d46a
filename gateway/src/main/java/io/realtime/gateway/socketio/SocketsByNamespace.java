package io.realtime.gateway.socketio;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * A connection's sockets ({@code S}: {@link GatewaySocket}) by namespace wire name: read on every packet, changed only when a namespace is joined or
 * left, nearly always holding one socket. An immutable map replaced on change costs 24 bytes for that one socket,
 * where a concurrent map sized for two cost 128 (memory per connection); reads take no lock.
 */
final class SocketsByNamespace<S> {

    private volatile Map<String, S> sockets = Map.of();

    S get(String namespace) {
        return sockets.get(namespace);
    }

    boolean isEmpty() {
        return sockets.isEmpty();
    }

    /** A snapshot: sockets ending while it is walked do not disturb it. */
    Collection<S> values() {
        return sockets.values();
    }

    /** An unmodifiable snapshot. */
    Map<String, S> snapshot() {
        return sockets;
    }

    synchronized void put(String namespace, S socket) {
        Map<String, S> current = sockets;
        if (current.isEmpty()) {
            sockets = Map.of(namespace, socket);
        } else {
            Map<String, S> next = new HashMap<>(current);
            next.put(namespace, socket);
            sockets = Map.copyOf(next);
        }
    }

    /** Removes the socket of {@code namespace} only if it is still {@code socket}. */
    synchronized void remove(String namespace, S socket) {
        Map<String, S> current = sockets;
        if (current.get(namespace) == socket) {
            Map<String, S> next = new HashMap<>(current);
            next.remove(namespace);
            sockets = Map.copyOf(next);
        }
    }
}
