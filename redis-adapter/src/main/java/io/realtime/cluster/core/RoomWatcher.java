package io.realtime.cluster.core;

import com.corundumstudio.socketio.namespace.Namespace;

import java.lang.reflect.Field;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Tells when a room of a namespace gets its first local member and when it loses its last (socket.io's adapter
 * events {@code create-room} / {@code delete-room}), which transports with per-room channels need.
 *
 * <p>Why reflection: netty-socketio 2.0 has no such events; its {@link Namespace} keeps rooms in a private
 * {@code roomClients} map, creating a room with {@code putIfAbsent} and removing it with
 * {@code remove(room, emptySet)}. That map is replaced, once at start, by this observing copy.
 */
final class RoomWatcher extends ConcurrentHashMap<String, Set<UUID>> {

    private final transient String defaultRoom;
    private final transient Consumer<String> created;
    private final transient Consumer<String> deleted;

    private RoomWatcher(String defaultRoom, Consumer<String> created, Consumer<String> deleted) {
        this.defaultRoom = defaultRoom;
        this.created = created;
        this.deleted = deleted;
    }

    /**
     * Installs the watcher; returns the rooms that exist now (besides the namespace's own). Fails with a clear
     * message when this version of netty-socketio keeps its rooms differently.
     */
    @SuppressWarnings("unchecked")
    static List<String> install(Namespace namespace, Consumer<String> created, Consumer<String> deleted) {
        try {
            Field field = Namespace.class.getDeclaredField("roomClients");
            field.setAccessible(true);
            Object current = field.get(namespace);
            if (current instanceof RoomWatcher) {
                throw new IllegalStateException("room events already observed for namespace " + namespace.getName());
            }
            RoomWatcher watcher = new RoomWatcher(namespace.getName(), created, deleted);
            watcher.putAll((java.util.Map<String, Set<UUID>>) current);
            field.set(namespace, watcher);
            return watcher.keySet().stream().filter(room -> !room.equals(namespace.getName())).toList();
        } catch (ReflectiveOperationException | ClassCastException | SecurityException e) {
            throw new IllegalStateException("cannot observe the rooms of netty-socketio's Namespace (needed by the"
                    + " dynamic subscription modes): " + e, e);
        }
    }

    @Override
    public Set<UUID> putIfAbsent(String room, Set<UUID> members) {
        Set<UUID> existing = super.putIfAbsent(room, members);
        if (existing == null && !room.equals(defaultRoom)) {
            created.accept(room);
        }
        return existing;
    }

    @Override
    public boolean remove(Object room, Object members) {
        boolean removed = super.remove(room, members);
        if (removed && !room.equals(defaultRoom)) {
            deleted.accept((String) room);
        }
        return removed;
    }
}
