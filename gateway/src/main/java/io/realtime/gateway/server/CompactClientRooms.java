package io.realtime.gateway.server;

import com.corundumstudio.socketio.namespace.Namespace;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Field;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The rooms of each client of a namespace, in a set made for the two or three rooms a client is in.
 *
 * <p>netty-socketio's {@link Namespace} keeps them in a private {@code clientRooms} map, creating each client's set
 * as a concurrent map of the default 16 slots wrapped in a set (192 bytes once it holds a room, entries aside; issue
 * 18: memory per connection). Its {@code join} takes whatever set {@code putIfAbsent} answers, so this map, installed
 * once per namespace at its creation, answers with a {@link ClientRoomSet} (about 40 bytes for two rooms).
 * By reflection: should a netty-socketio version keep the rooms differently, the namespace keeps its own map (a
 * warning says so) and nothing else changes.
 */
final class CompactClientRooms extends ConcurrentHashMap<UUID, Set<String>> {

    private static final Logger log = LoggerFactory.getLogger(CompactClientRooms.class);
    private static final Field FIELD = resolve();

    private CompactClientRooms() {
    }

    /** Replaces the namespace's map while it is still empty, before any client joined. */
    static void install(Namespace namespace) {
        if (FIELD == null) {
            return;
        }
        try {
            Map<?, ?> current = (Map<?, ?>) FIELD.get(namespace);
            if (current instanceof CompactClientRooms || !current.isEmpty()) {
                return;
            }
            FIELD.set(namespace, new CompactClientRooms());
        } catch (IllegalAccessException | RuntimeException e) {
            log.warn("namespace {} keeps netty-socketio's client rooms map: {}", namespace.getName(), e.toString());
        }
    }

    /**
     * Puts the compact set instead of the one offered, and answers it as if it had been there: the caller (netty-
     * socketio's {@code join}) then adds the room to the set that is in the map.
     */
    @Override
    public Set<String> putIfAbsent(UUID client, Set<String> offered) {
        Set<String> compact = new ClientRoomSet();
        Set<String> existing = super.putIfAbsent(client, compact);
        return existing != null ? existing : compact;
    }

    private static Field resolve() {
        try {
            Field field = Namespace.class.getDeclaredField("clientRooms");
            if (!Map.class.isAssignableFrom(field.getType())) {
                throw new NoSuchFieldException("clientRooms is no longer a Map");
            }
            field.setAccessible(true);
            return field;
        } catch (NoSuchFieldException | RuntimeException e) {
            log.warn("netty-socketio's Namespace has changed ({}): each client keeps a default-sized room set", e.toString());
            return null;
        }
    }
}
