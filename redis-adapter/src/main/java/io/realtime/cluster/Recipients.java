package io.realtime.cluster;

import com.corundumstudio.socketio.SocketIOClient;

import java.util.Collections;
import java.util.List;
import java.util.function.Function;

/**
 * The local sockets a broadcast goes to, fixed when they are chosen. A room's recipients are the same instance from
 * one broadcast to the next for as long as nobody joins or leaves the room, so what a server derives from them (its
 * sockets grouped by event loop, say) is derived once and kept with them ({@link #prepared}), rather than once per
 * broadcast and recipient on the thread that reads the cluster.
 */
public final class Recipients {

    private static final Recipients NONE = new Recipients(List.of());

    private final List<SocketIOClient> clients;
    private volatile Prepared prepared;

    private record Prepared(Function<?, ?> preparation, Object value) {
    }

    private Recipients(List<SocketIOClient> clients) {
        this.clients = clients;
    }

    /** Recipients over {@code clients}, which the caller hands over and no longer changes. */
    public static Recipients of(List<SocketIOClient> clients) {
        return clients.isEmpty() ? NONE : new Recipients(Collections.unmodifiableList(clients));
    }

    public static Recipients none() {
        return NONE;
    }

    /** The sockets, each once, in a stable order; unmodifiable. */
    public List<SocketIOClient> clients() {
        return clients;
    }

    public boolean isEmpty() {
        return clients.isEmpty();
    }

    /**
     * What {@code preparation} makes of these recipients, made at its first call and kept: pass the same function
     * instance every time (a field, not a new lambda), since another one prepares them anew.
     */
    @SuppressWarnings("unchecked")
    public <T> T prepared(Function<List<SocketIOClient>, T> preparation) {
        Prepared kept = prepared;
        if (kept != null && kept.preparation() == preparation) {
            return (T) kept.value();
        }
        T value = preparation.apply(clients);
        prepared = new Prepared(preparation, value);
        return value;
    }
}
