package io.realtime.gateway.admin;

import io.realtime.cluster.SocketIds;
import io.realtime.gateway.socketio.NamespaceNames;
import io.realtime.cluster.LocalAdapter;
import io.realtime.gateway.stats.DisconnectReason;
import io.realtime.cluster.Cluster;
import io.realtime.cluster.ClusterNamespace;
import io.realtime.cluster.SocketDetails;
import io.realtime.gateway.socketio.GatewaySocket;
import io.realtime.gateway.socketio.SocketActivity;
import io.realtime.gateway.socketio.SocketIoConnection;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Development mode's live feed ({@code instrument()}'s verbose listeners): every socket connected, upgraded,
 * given new data, disconnected, every room joined or left and every event received or sent (to each recipient of a broadcast too),
 * emitted to the admin namespace of the whole cluster, so each UI sees every node. Events of the admin namespace itself are not reported (the UI's own
 * traffic would feed itself). Each report is one cluster broadcast: this is what development mode costs.
 */
final class DevelopmentEvents implements SocketActivity {

    private final Cluster cluster;
    private final ClusterNamespace admin;
    private final String adminName;

    DevelopmentEvents(Cluster cluster, String adminName) {
        this.cluster = cluster;
        this.admin = cluster.of(adminName);
        this.adminName = adminName;
    }

    @Override
    public void connected(GatewaySocket socket) {
        details(socket).ifPresent(details -> admin.emit("socket_connected", AdminSockets.serialize(details, nsp(socket)), now()));
    }

    /** {@code socket_updated} with the socket's data as it is now ({@code _admin} aside). */
    @Override
    public void dataChanged(GatewaySocket socket) {
        details(socket).ifPresent(details -> admin.emit("socket_updated", Map.of("id", details.id(), "nsp", nsp(socket),
                "data", AdminSockets.withoutAdmin(details.data()))));
    }

    @Override
    public void disconnected(GatewaySocket socket, DisconnectReason reason) {
        admin.emit("socket_disconnected", nsp(socket), SocketIds.wire(socket.getSessionId()), reason.text(), now());
    }

    /** The socket as {@code fetchSockets} lists it, read here and now: its namespace may not list it yet. */
    private Optional<SocketDetails> details(GatewaySocket socket) {
        return cluster.of(nsp(socket)).adapter() instanceof LocalAdapter local
                ? Optional.of(local.detailsOf(socket)) : Optional.empty();
    }

    @Override
    public void upgraded(SocketIoConnection connection, String transport) {
        connection.sockets().forEach((nsp, socket) ->
                admin.emit("socket_updated", Map.of("id", SocketIds.wire(socket.getSessionId()), "nsp", nsp, "transport", transport)));
    }

    @Override
    public void roomJoined(GatewaySocket socket, String room) {
        admin.emit("room_joined", nsp(socket), room, SocketIds.wire(socket.getSessionId()), now());
    }

    @Override
    public void roomLeft(GatewaySocket socket, String room) {
        admin.emit("room_left", nsp(socket), room, SocketIds.wire(socket.getSessionId()), now());
    }

    @Override
    public void eventReceived(GatewaySocket socket, String event, List<Object> args) {
        report("event_received", socket, event, args);
    }

    @Override
    public void eventSent(GatewaySocket socket, String event, List<?> args) {
        report("event_sent", socket, event, args);
    }

    private void report(String type, GatewaySocket socket, String event, List<?> args) {
        String nsp = nsp(socket);
        if (nsp.equals(adminName)) {
            return;
        }
        Object[] eventAndArgs = new Object[args.size() + 1];
        eventAndArgs[0] = event;
        for (int i = 0; i < args.size(); i++) {
            eventAndArgs[i + 1] = args.get(i);
        }
        admin.emit(type, nsp, SocketIds.wire(socket.getSessionId()), eventAndArgs, now());
    }

    private static String nsp(GatewaySocket socket) {
        return NamespaceNames.wire(socket.getNamespace().getName());
    }

    /**
     * What a JavaScript Date becomes in JSON, always to the millisecond: the UI shows and sorts these strings as they
     * are, so a node's nanoseconds, or a whole second written without its fraction, would misplace its events among
     * the other nodes'.
     */
    private static final java.time.format.DateTimeFormatter JSON_DATE =
            java.time.format.DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(java.time.ZoneOffset.UTC);

    private static String now() {
        return timestamp(Instant.now());
    }

    static String timestamp(Instant instant) {
        return JSON_DATE.format(instant);
    }
}
