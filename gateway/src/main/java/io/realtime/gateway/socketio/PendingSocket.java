package io.realtime.gateway.socketio;

import com.corundumstudio.socketio.AckCallback;
import com.corundumstudio.socketio.HandshakeData;
import com.corundumstudio.socketio.SocketIOClient;
import com.corundumstudio.socketio.SocketIONamespace;
import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.protocol.EngineIOVersion;
import com.corundumstudio.socketio.protocol.Packet;

import java.net.SocketAddress;
import java.util.Set;
import java.util.UUID;

/**
 * The client as namespace authentication listeners see it, before it is admitted: it can be inspected (handshake,
 * address, session store). What a listener asks of it as of a connected client (as netty-socketio's auth listeners
 * may) is kept and done once it is admitted: the rooms it joins or leaves before the connect listeners run, the events
 * it sends right after the CONNECT answer; asked later (an application that kept this client), it goes to the
 * admitted socket at once. A client refused, or gone before it was admitted, gets none of it, and the acks asked of
 * it time out. Only {@link #disconnect()} is refused: an authentication listener refuses by its answer.
 */
final class PendingSocket implements SocketIOClient {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(PendingSocket.class);

    private final SocketIoConnection connection;
    private final SocketIONamespace namespace;
    private final HandshakeData handshake;
    private final UUID id;
    /** Keys authentication set in the store: the socket, once admitted, keeps them (and a recovery restores them). */
    private final Set<String> keys = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** One thing asked of the client; {@code callback}, when it waits for an ack, times out if it is never done. */
    private record Asked(java.util.function.Consumer<GatewaySocket> action, AckCallback<?> callback) {
    }

    /** What the listener asked of the client, in order, to be done to the admitted socket; null while nothing. */
    private java.util.List<Asked> asked;
    /** The socket once admitted; guarded by {@code this}, as are {@code asked} and {@code abandoned}. */
    private GatewaySocket admitted;
    private boolean abandoned;

    /** @param id the id the socket will have once admitted */
    PendingSocket(SocketIoConnection connection, SocketIONamespace namespace, HandshakeData handshake, UUID id) {
        this.connection = connection;
        this.namespace = namespace;
        this.handshake = handshake;
        this.id = id;
    }

    Set<String> keys() {
        return keys;
    }

    /**
     * Does to the admitted socket what the authentication listener asked of the client (on the connection's loop);
     * what is asked from now on goes to the socket directly. One request that fails (an application's bad argument)
     * is logged and does not keep the others, nor the connect listeners, from running.
     */
    void applyTo(GatewaySocket socket) {
        java.util.List<Asked> done;
        synchronized (this) {
            done = asked;
            asked = null;
            admitted = socket;
        }
        if (done != null) {
            for (Asked request : done) {
                try {
                    request.action().accept(socket);
                } catch (RuntimeException e) {
                    log.error("socket {}: what its authentication listener asked could not be done", socket.getSessionId(), e);
                }
            }
        }
    }

    /**
     * The client was refused, or went before it was admitted: nothing asked of it is done; its acks time out. One
     * timeout callback that throws is logged and does not keep the others from running: their callers would wait
     * for good.
     */
    void abandon() {
        java.util.List<Asked> dropped;
        synchronized (this) {
            dropped = asked;
            asked = null;
            abandoned = true;
        }
        forgetData();
        if (dropped != null) {
            for (Asked request : dropped) {
                try {
                    timeOut(request);
                } catch (RuntimeException e) {
                    log.error("socket {} (never admitted): an ack's timeout callback failed", id, e);
                }
            }
        }
    }

    /**
     * Takes what authentication set out of the connection's store, on its loop: the next socket of the namespace on
     * this connection starts with none, as a new socket.io socket does. Kept if a socket of the namespace is there
     * (made from this client, which took the keys over, before it failed to be answered).
     */
    private void forgetData() {
        if (keys.isEmpty()) {
            return;
        }
        java.util.List<String> set = java.util.List.copyOf(keys);
        keys.clear();
        String namespaceName = namespace.getName();
        Runnable delete = () -> {
            if (connection.sockets().containsKey(NamespaceNames.wire(namespace))) {
                return;
            }
            for (String key : set) {
                connection.getStore().del(SocketStore.key(namespaceName, key));
            }
        };
        io.netty.channel.EventLoop loop = connection.engineSession().eventLoop();
        if (loop.inEventLoop()) {
            delete.run();
        } else {
            try {
                loop.execute(delete);
            } catch (java.util.concurrent.RejectedExecutionException stopped) {
                // The node stopped: the connection and its store go with it.
            }
        }
    }

    private void ask(java.util.function.Consumer<GatewaySocket> action, AckCallback<?> callback) {
        Asked request = new Asked(action, callback);
        GatewaySocket target;
        synchronized (this) {
            target = admitted;
            if (target == null && !abandoned) {
                if (asked == null) {
                    asked = new java.util.ArrayList<>(2);
                }
                asked.add(request);
                return;
            }
        }
        if (target != null) {
            action.accept(target);
        } else {
            timeOut(request);
        }
    }

    private void ask(java.util.function.Consumer<GatewaySocket> action) {
        ask(action, null);
    }

    private static void timeOut(Asked request) {
        if (request.callback() != null) {
            request.callback().onTimeout();
        }
    }

    @Override
    public HandshakeData getHandshakeData() {
        return handshake;
    }

    @Override
    public Transport getTransport() {
        return connection.getCurrentTransport();
    }

    @Override
    public EngineIOVersion getEngineIOVersion() {
        return connection.getEngineIOVersion();
    }

    @Override
    public boolean isWritable() {
        return false;
    }

    @Override
    public SocketIONamespace getNamespace() {
        return namespace;
    }

    @Override
    public UUID getSessionId() {
        return id;
    }

    @Override
    public SocketAddress getRemoteAddress() {
        return connection.getRemoteAddress();
    }

    @Override
    public boolean isChannelOpen() {
        return connection.isChannelOpen();
    }

    @Override
    public void set(String key, Object val) {
        keys.add(key);
        connection.getStore().set(SocketStore.key(getNamespace().getName(), key), val);
    }

    @Override
    public <T> T get(String key) {
        return connection.getStore().get(SocketStore.key(getNamespace().getName(), key));
    }

    @Override
    public boolean has(String key) {
        return connection.getStore().has(SocketStore.key(getNamespace().getName(), key));
    }

    @Override
    public void del(String key) {
        keys.remove(key);
        connection.getStore().del(SocketStore.key(getNamespace().getName(), key));
    }

    @Override
    public Set<String> getAllRooms() {
        return Set.of();
    }

    @Override
    public int getCurrentRoomSize(String room) {
        return 0;
    }

    @Override
    public void sendEvent(String name, AckCallback<?> ackCallback, Object... data) {
        java.util.Objects.requireNonNull(name, "name");
        ask(socket -> socket.sendEvent(name, ackCallback, data), ackCallback);
    }

    @Override
    public void send(Packet packet, AckCallback<?> ackCallback) {
        ask(socket -> socket.send(packet, ackCallback), ackCallback);
    }

    @Override
    public void send(Packet packet) {
        ask(socket -> socket.send(packet));
    }

    @Override
    public void sendEvent(String name, Object... data) {
        java.util.Objects.requireNonNull(name, "name");
        ask(socket -> socket.sendEvent(name, data));
    }

    @Override
    public void disconnect() {
        throw notConnected();
    }

    @Override
    public void joinRoom(String room) {
        java.util.Objects.requireNonNull(room, "room");
        ask(socket -> socket.joinRoom(room));
    }

    @Override
    public void joinRooms(Set<String> rooms) {
        Set<String> copy = Set.copyOf(rooms);
        ask(socket -> socket.joinRooms(copy));
    }

    @Override
    public void leaveRoom(String room) {
        java.util.Objects.requireNonNull(room, "room");
        ask(socket -> socket.leaveRoom(room));
    }

    @Override
    public void leaveRooms(Set<String> rooms) {
        Set<String> copy = Set.copyOf(rooms);
        ask(socket -> socket.leaveRooms(copy));
    }

    private static IllegalStateException notConnected() {
        return new IllegalStateException("the client is not connected to the namespace yet: refuse it by returning a failed AuthTokenResult");
    }
}
