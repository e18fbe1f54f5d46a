package io.realtime.gateway.admin;

import com.corundumstudio.socketio.SocketIONamespace;
import com.corundumstudio.socketio.listener.MultiTypeEventListener;
import io.realtime.cluster.Cluster;
import io.realtime.cluster.ClusterNamespace;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Set;

/**
 * The UI's commands, applied to the whole cluster through the adapter's verbs, as {@code instrument()} applies them
 * with socket.io v4's {@code io.of(nsp).in(filter).socketsJoin(room)} and friends:
 * {@code emit(nsp, filter, event, ...args)}, {@code join(nsp, room, filter)}, {@code leave(nsp, room, filter)},
 * {@code _disconnect(nsp, close, filter)}; a missing filter means every socket of the namespace. A command with
 * arguments of the wrong shape or an unknown namespace is dropped (and logged): nothing changes; one the cluster
 * fails to apply (it is stopping, the arguments cannot be encoded) is logged as refused the same way. In read-only mode
 * none is registered, as in {@code instrument()}, so every command is ignored.
 */
final class AdminCommands {

    /** Features the UI enables its buttons for (socket.io v4 has the cluster-wide M* variants). */
    static final List<String> FEATURES = List.of("EMIT", "JOIN", "LEAVE", "DISCONNECT", "MJOIN", "MLEAVE", "MDISCONNECT");

    private static final Logger log = LoggerFactory.getLogger(AdminCommands.class);
    private static final int MAX_NAME = 256;
    /** Events socket.io reserves; emitting them to clients is refused by socket.io too. */
    private static final Set<String> RESERVED = Set.of("connect", "connect_error", "disconnect", "disconnecting",
            "newListener", "removeListener");

    private final Cluster cluster;

    AdminCommands(Cluster cluster) {
        this.cluster = cluster;
    }

    void register(SocketIONamespace admin) {
        on(admin, "emit", args -> {
            String event = name(args, 2);
            if (event == null || RESERVED.contains(event)) {
                return false;
            }
            ClusterNamespace target = target(args, 1);
            if (target == null) {
                return false;
            }
            target.emit(event, args.subList(3, args.size()).toArray());
            return true;
        });
        on(admin, "join", args -> {
            String room = name(args, 1);
            ClusterNamespace target = room == null ? null : target(args, 2);
            if (target != null) {
                target.socketsJoin(room);
            }
            return target != null;
        });
        on(admin, "leave", args -> {
            String room = name(args, 1);
            ClusterNamespace target = room == null ? null : target(args, 2);
            if (target != null) {
                target.socketsLeave(room);
            }
            return target != null;
        });
        on(admin, "_disconnect", args -> {
            Object close = args.size() > 1 ? args.get(1) : null;
            ClusterNamespace target = close == null || close instanceof Boolean ? target(args, 2) : null;
            if (target != null) {
                target.disconnectSockets(Boolean.TRUE.equals(close));
            }
            return target != null;
        });
    }

    private interface Command {
        boolean apply(List<Object> args);
    }

    private static void on(SocketIONamespace admin, String event, Command command) {
        MultiTypeEventListener listener = (client, data, ack) -> {
            List<Object> args = data.getArgs();
            boolean applied;
            try {
                applied = command.apply(args);
            } catch (RuntimeException e) {
                // The cluster stopping (ClusterUnavailableException), arguments that cannot be encoded: refused and
                // logged here, not thrown into the socket's listener.
                log.info("Admin UI command '{}' refused: {}", event, e.toString());
                return;
            }
            if (!applied) {
                log.info("Admin UI command '{}' refused: malformed arguments or unknown namespace {}", event, args.isEmpty() ? "" : args.get(0));
            }
        };
        admin.addMultiTypeEventListener(event, listener, Object.class);
    }

    /** The namespace (argument 0), narrowed to the room or socket id of the filter (argument {@code filterAt}), or null when invalid. */
    private ClusterNamespace target(List<Object> args, int filterAt) {
        String nsp = name(args, 0);
        if (nsp == null || !nsp.startsWith("/")) {
            return null;
        }
        Object filter = args.size() > filterAt ? args.get(filterAt) : null;
        if (filter != null && !(filter instanceof String)) {
            return null;
        }
        ClusterNamespace namespace;
        try {
            namespace = cluster.of(nsp);
        } catch (IllegalArgumentException e) {
            return null;
        }
        String room = (String) filter;
        return room == null || room.isEmpty() ? namespace : room.length() > MAX_NAME ? null : namespace.to(room);
    }

    private static String name(List<Object> args, int index) {
        return args.size() > index && args.get(index) instanceof String text && !text.isEmpty() && text.length() <= MAX_NAME
                ? text : null;
    }
}
