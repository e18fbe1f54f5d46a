package io.realtime.gateway.server;

import com.corundumstudio.socketio.BroadcastOperations;
import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.MultiRoomBroadcastOperations;
import com.corundumstudio.socketio.SocketIONamespace;
import com.corundumstudio.socketio.SocketIOServer;
import com.corundumstudio.socketio.namespace.Namespace;
import com.corundumstudio.socketio.namespace.NamespacesHub;
import io.realtime.cluster.ClusterNamespace;
import io.realtime.gateway.socketio.NamespaceNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * netty-socketio's {@link Namespace} whose room and broadcast operations, with connection state recovery on, send
 * an event without an ack through the namespace's adapter, as {@code cluster.of(nsp).to(room).emit} does: one entry
 * of the recovery log per broadcast, replayed to the room's members that are away, where netty-socketio's own
 * operations hand every recipient the packet and each recipient would log it as its own event (one broadcast to N
 * sockets taking N places of the log and pushing out what an away client needs). On the streams transport that entry
 * is the stream's, which every node hands to its own members of the room, once. With recovery off they are
 * netty-socketio's own (this node's sockets only).
 *
 * <p>netty-socketio makes its namespaces itself ({@code NamespacesHub.create}, a plain {@link Namespace}), so
 * {@link #register} puts this one in the server's hub in its place, by reflection; should a netty-socketio version
 * keep its namespaces differently, the server keeps plain ones (a warning says so) and each recipient of their
 * operations logs the event for itself, as before.
 */
final class GatewayNamespace extends Namespace {

    private static final Logger log = LoggerFactory.getLogger(GatewayNamespace.class);
    private static final Field HUB = field(SocketIOServer.class, "namespacesHub", NamespacesHub.class);
    private static final Field NAMESPACES = field(NamespacesHub.class, "namespaces", Map.class);
    private static final Field CONFIGURATION = field(NamespacesHub.class, "configuration", Configuration.class);

    /** The node's adapter for this namespace when its sends are logged for recovery, else {@code null}. */
    private final Function<String, ClusterNamespace> logged;

    private GatewayNamespace(String name, Configuration configuration, Function<String, ClusterNamespace> logged) {
        super(name, configuration);
        this.logged = logged;
    }

    /**
     * The namespace {@code name} (netty-socketio's name) of {@code server}: this class, made and listed in the
     * server's hub unless it has the namespace already; {@code null} when the hub cannot be reached.
     *
     * @param logged by the namespace's socket.io name: its adapter's operators when its sends are logged for
     *               recovery, else {@code null}; asked at each operation
     */
    static SocketIONamespace register(SocketIOServer server, String name, Function<String, ClusterNamespace> logged) {
        if (HUB == null || NAMESPACES == null || CONFIGURATION == null) {
            return null;
        }
        try {
            NamespacesHub hub = (NamespacesHub) HUB.get(server);
            @SuppressWarnings("unchecked")
            Map<String, SocketIONamespace> namespaces = (Map<String, SocketIONamespace>) NAMESPACES.get(hub);
            SocketIONamespace existing = namespaces.get(name);
            if (existing != null) {
                return existing;
            }
            Namespace made = new GatewayNamespace(name, (Configuration) CONFIGURATION.get(hub), logged);
            existing = namespaces.putIfAbsent(name, made);
            return existing != null ? existing : made;
        } catch (IllegalAccessException | RuntimeException e) {
            log.warn("namespace {} is netty-socketio's own: its room operations log each recipient's event for itself"
                    + " ({})", name, e.toString());
            return null;
        }
    }

    @Override
    public BroadcastOperations getBroadcastOperations() {
        BroadcastOperations own = super.getBroadcastOperations();
        ClusterNamespace adapter = logged.apply(NamespaceNames.wire(this));
        return adapter == null ? own : new LoggedBroadcastOperations(own, adapter);
    }

    @Override
    public BroadcastOperations getRoomOperations(String room) {
        BroadcastOperations own = super.getRoomOperations(room);
        ClusterNamespace adapter = logged.apply(NamespaceNames.wire(this));
        if (adapter == null) {
            return own;
        }
        // netty-socketio's room named as the namespace holds every socket of it; to the adapter it is no room.
        return new LoggedBroadcastOperations(own, room.equals(getName()) ? adapter : adapter.to(room));
    }

    @Override
    public BroadcastOperations getRoomOperations(String... rooms) {
        if (logged.apply(NamespaceNames.wire(this)) == null) {
            return super.getRoomOperations(rooms);
        }
        // Each room on its own, as netty-socketio sends them (a socket in two of them gets the event twice).
        List<BroadcastOperations> each = new ArrayList<>(rooms.length);
        for (String room : rooms) {
            each.add(getRoomOperations(room));
        }
        return new MultiRoomBroadcastOperations(each);
    }

    private static Field field(Class<?> owner, String name, Class<?> type) {
        try {
            Field field = owner.getDeclaredField(name);
            if (!type.isAssignableFrom(field.getType())) {
                throw new NoSuchFieldException(name + " is no longer a " + type.getSimpleName());
            }
            field.setAccessible(true);
            return field;
        } catch (NoSuchFieldException | RuntimeException e) {
            log.warn("netty-socketio's {} has changed ({}): namespaces are its own, and with connection state recovery"
                    + " each recipient of a room operation logs the event for itself", owner.getSimpleName(), e.toString());
            return null;
        }
    }
}
