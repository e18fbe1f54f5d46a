package io.realtime.gateway.socketio;

import com.corundumstudio.socketio.handler.ClientHead;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Field;
import java.util.Map;

/**
 * Lets go of what netty-socketio's {@link ClientHead} constructor builds for its own transports and namespace
 * bookkeeping, which {@link SocketIoConnection} replaces method by method: the map of transports (two transport
 * states, each with a packet queue) and the map of namespace clients. Kept, they cost every connection about 350
 * bytes for as long as it lives. Each field is pointed at a shared immutable empty map, so that a
 * netty-socketio method that was not replaced and still used one would fail loudly rather than quietly keep state.
 *
 * <p>By reflection, resolved once: should a netty-socketio version rename the fields, the connections keep them
 * (a warning says so) and nothing else changes.
 */
final class UnusedClientState {

    private static final Logger log = LoggerFactory.getLogger(UnusedClientState.class);
    private static final Field[] FIELDS = resolve("channels", "namespaceClients");

    private UnusedClientState() {
    }

    static void release(ClientHead client) {
        for (Field field : FIELDS) {
            try {
                field.set(client, Map.of());
            } catch (IllegalAccessException | RuntimeException e) {
                log.warn("could not release ClientHead.{}: {}", field.getName(), e.toString());
            }
        }
    }

    private static Field[] resolve(String... names) {
        try {
            Field[] fields = new Field[names.length];
            for (int i = 0; i < names.length; i++) {
                Field field = ClientHead.class.getDeclaredField(names[i]);
                if (!Map.class.isAssignableFrom(field.getType())) {
                    throw new NoSuchFieldException(names[i] + " is no longer a Map");
                }
                field.setAccessible(true);
                fields[i] = field;
            }
            return fields;
        } catch (NoSuchFieldException | RuntimeException e) {
            log.warn("netty-socketio's ClientHead has changed ({}): each connection keeps its unused transport maps", e.toString());
            return new Field[0];
        }
    }
}
