package io.realtime.gateway.socketio;

import com.corundumstudio.socketio.HandshakeData;
import com.corundumstudio.socketio.namespace.Namespace;
import com.corundumstudio.socketio.protocol.Packet;
import com.corundumstudio.socketio.protocol.PacketType;
import com.corundumstudio.socketio.transport.NamespaceClient;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A client's connection to one namespace: netty-socketio's {@code SocketIOClient}, with the handshake (and
 * {@code auth} payload) of that namespace's CONNECT, and a server-side {@link #disconnect()} that really ends the
 * socket the way socket.io's {@code socket.disconnect()} does.
 */
public final class GatewaySocket extends NamespaceClient {

    private final SocketIoConnection connection;
    private final HandshakeData handshake;
    private final AtomicBoolean disconnected = new AtomicBoolean();
    private volatile io.realtime.gateway.stats.DisconnectReason disconnectReason;

    GatewaySocket(SocketIoConnection connection, Namespace namespace, HandshakeData handshake) {
        super(connection, namespace);
        this.connection = connection;
        this.handshake = handshake;
    }

    @Override
    public HandshakeData getHandshakeData() {
        return handshake;
    }

    @Override
    public void joinRoom(String room) {
        super.joinRoom(room);
        connection.observer().roomJoined(wireName());
        connection.activity().roomJoined(this, room);
    }

    @Override
    public void joinRooms(java.util.Set<String> rooms) {
        super.joinRooms(rooms);
        rooms.forEach(room -> {
            connection.observer().roomJoined(wireName());
            connection.activity().roomJoined(this, room);
        });
    }

    @Override
    public void leaveRoom(String room) {
        super.leaveRoom(room);
        connection.observer().roomLeft(wireName());
        connection.activity().roomLeft(this, room);
    }

    @Override
    public void leaveRooms(java.util.Set<String> rooms) {
        super.leaveRooms(rooms);
        rooms.forEach(room -> {
            connection.observer().roomLeft(wireName());
            connection.activity().roomLeft(this, room);
        });
    }

    private String wireName() {
        return NamespaceNames.wire(getNamespace());
    }

    /** Whether packets sent now can still reach the client: the socket has not ended, nor its connection. */
    boolean isLive() {
        return !disconnected.get() && connection.engineSession().isOpen();
    }

    /** The connection this socket belongs to (one per client, shared by its namespaces). */
    public SocketIoConnection connection() {
        return connection;
    }

    io.realtime.gateway.engineio.EngineSession engineSession() {
        return connection.engineSession();
    }

    /** Why the socket ended, in socket.io's words ({@code "client namespace disconnect"}, {@code "ping timeout"}...). */
    public String disconnectReason() {
        return disconnectReason == null ? null : disconnectReason.text();
    }

    public boolean isDisconnected() {
        return disconnected.get();
    }

    /** Sends the DISCONNECT packet and ends the socket; the client sees {@code "io server disconnect"}. */
    @Override
    public void disconnect() {
        disconnect(io.realtime.gateway.stats.DisconnectReason.SERVER_NAMESPACE_DISCONNECT);
    }

    /** As {@link #disconnect()}, counted under {@code reason} (the client sees {@code "io server disconnect"}). */
    public void disconnect(io.realtime.gateway.stats.DisconnectReason reason) {
        if (disconnected.get()) {
            return;
        }
        Packet packet = new Packet(PacketType.MESSAGE, getEngineIOVersion());
        packet.setSubType(PacketType.DISCONNECT);
        send(packet);
        end(reason);
    }

    @Override
    public void onDisconnect() {
        end(io.realtime.gateway.stats.DisconnectReason.SERVER_SHUTTING_DOWN);
    }

    /** Ends the socket once: leaves its rooms and runs the namespace's disconnect listeners. */
    void end(io.realtime.gateway.stats.DisconnectReason reason) {
        if (disconnected.compareAndSet(false, true)) {
            disconnectReason = reason;
            super.onDisconnect();
            connection.socketEnded(this, reason);
        }
    }
}
