package io.realtime.cluster;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Which sockets an operation reaches, with socket.io's semantics: every socket of the namespace when {@code rooms}
 * is empty, otherwise those in any of {@code rooms} (each once); never those in any of {@code except}. A socket is
 * implicitly in a room named by its own id. Immutable; the {@code with...} methods return copies.
 *
 * @param local    only this node (nothing is published)
 * @param volatile_ drop the packet for clients that cannot take it right now
 * @param timeout  for broadcasts with acknowledgements: how long to wait for them
 */
public record BroadcastOptions(Set<String> rooms, Set<String> except, boolean local, boolean volatile_, Duration timeout) {

    public static final BroadcastOptions ALL = new BroadcastOptions(Set.of(), Set.of(), false, false, null);

    public BroadcastOptions {
        // Free when they already are immutable sets (each broadcast read from Redis is copied by asLocal).
        rooms = Set.copyOf(rooms);
        except = Set.copyOf(except);
    }

    public BroadcastOptions withRooms(Set<String> more) {
        Set<String> all = new LinkedHashSet<>(rooms);
        all.addAll(more);
        return new BroadcastOptions(all, except, local, volatile_, timeout);
    }

    public BroadcastOptions withExcept(Set<String> more) {
        Set<String> all = new LinkedHashSet<>(except);
        all.addAll(more);
        return new BroadcastOptions(rooms, all, local, volatile_, timeout);
    }

    public BroadcastOptions asLocal() {
        return new BroadcastOptions(rooms, except, true, volatile_, timeout);
    }

    public BroadcastOptions asVolatile() {
        return new BroadcastOptions(rooms, except, local, true, timeout);
    }

    public BroadcastOptions withTimeout(Duration value) {
        return new BroadcastOptions(rooms, except, local, volatile_, value);
    }
}
