package io.realtime.gateway.socketio;

import io.realtime.gateway.stats.DisconnectReason;
import java.util.List;

/**
 * What individual sockets do, for observers that need more than counts (the Admin UI's development mode): which
 * socket, which room, which arguments. Called on the connection's event loop, or the sender's thread for
 * {@link #eventSent}: implementations must be quick and must not block. Every method has a no-op default.
 */
public interface SocketActivity {

    SocketActivity NONE = new SocketActivity() { };

    /** A Socket.IO connection opened over a new Engine.IO session. */
    default void opened(SocketIoConnection connection) {
    }

    /** The Engine.IO session under {@code connection} moved to another transport ({@code websocket}). */
    default void upgraded(SocketIoConnection connection, String transport) {
    }

    /** The connection closed ({@link DisconnectReason#text()}: socket.io's words, {@code "transport close"}...). */
    default void closed(SocketIoConnection connection, DisconnectReason reason) {
    }

    /**
     * A socket joined its namespace, its CONNECT answered: called before the namespace's connect listeners run (the
     * rooms its authentication asked for already joined), as socket.io's Admin UI hears a connection before the
     * application does.
     */
    default void connected(GatewaySocket socket) {
    }

    /**
     * A connected socket's data ({@code set("data", value)}, {@code del("data")}) was replaced; called on the thread that
     * replaced it. Changes inside the value are the value's own business.
     */
    default void dataChanged(GatewaySocket socket) {
    }

    /** A connected socket ended: after the namespace's disconnect listeners, before its rooms are reported left. */
    default void disconnected(GatewaySocket socket, DisconnectReason reason) {
    }

    default void roomJoined(GatewaySocket socket, String room) {
    }

    default void roomLeft(GatewaySocket socket, String room) {
    }

    /** An event a client sent, before any handler runs (the ack callback, if any, is not among the arguments). */
    default void eventReceived(GatewaySocket socket, String event, List<Object> args) {
    }

    /** An event sent to this socket, by {@code socket.emit} or a broadcast; only heard when {@link #followsEvents()}. */
    default void eventSent(GatewaySocket socket, String event, List<?> args) {
    }

    /** Whether {@link #eventSent} is wanted: it costs a call per recipient of every broadcast. */
    default boolean followsEvents() {
        return false;
    }
}
