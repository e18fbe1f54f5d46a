package io.realtime.gateway.broadcast;

import java.util.Set;
import java.util.UUID;

/**
 * Which sockets of a namespace a broadcast reaches, with socket.io's semantics: all sockets when {@code rooms} is
 * empty, else those in any of {@code rooms} (each socket once), minus those in any of {@code except}, minus one
 * excluded socket (the sender, for "everyone but me"); across the cluster unless {@code localOnly}.
 */
public record BroadcastTarget(String namespace, Set<String> rooms, Set<String> except, UUID excludedSocket, boolean localOnly) {

    public BroadcastTarget {
        if (namespace == null || !namespace.startsWith("/")) {
            throw new IllegalArgumentException("namespace must start with '/': " + namespace);
        }
        rooms = Set.copyOf(rooms);
        except = Set.copyOf(except);
    }

    public BroadcastTarget(String namespace, Set<String> rooms, Set<String> except, UUID excludedSocket) {
        this(namespace, rooms, except, excludedSocket, false);
    }

    public static BroadcastTarget everyone(String namespace) {
        return new BroadcastTarget(namespace, Set.of(), Set.of(), null);
    }

    public static BroadcastTarget room(String namespace, String room) {
        return new BroadcastTarget(namespace, Set.of(room), Set.of(), null);
    }

    public BroadcastTarget excluding(UUID socket) {
        return new BroadcastTarget(namespace, rooms, except, socket, localOnly);
    }

    /** This node's sockets only: for what every node sends to its own clients (dashboard figures). */
    public BroadcastTarget onThisNode() {
        return new BroadcastTarget(namespace, rooms, except, excludedSocket, true);
    }
}
