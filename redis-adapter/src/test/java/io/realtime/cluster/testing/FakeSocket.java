package io.realtime.cluster.testing;

import com.corundumstudio.socketio.AckCallback;
import com.corundumstudio.socketio.HandshakeData;
import com.corundumstudio.socketio.SocketIOClient;
import com.corundumstudio.socketio.SocketIONamespace;
import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.namespace.Namespace;
import com.corundumstudio.socketio.protocol.EngineIOVersion;
import com.corundumstudio.socketio.protocol.Packet;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.realtime.cluster.ClusterNamespace;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A socket of a netty-socketio {@link Namespace} without a network: it records what it was sent. */
public final class FakeSocket implements SocketIOClient {

    /** An event this socket received: name, arguments, and the ack callback when one was asked for. */
    public record Received(String event, List<Object> args, AckCallback<?> ack) {
    }

    private final Namespace namespace;
    private final UUID id = UUID.randomUUID();
    private final HandshakeData handshake = new HandshakeData(new DefaultHttpHeaders().add("x-test", "1"), Map.of(),
            new InetSocketAddress("127.0.0.1", 1234), "/socket.io/", false);
    private final Map<String, Object> store = new ConcurrentHashMap<>();
    public final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    public final List<String> disconnects = new CopyOnWriteArrayList<>();
    private volatile boolean writable = true;

    private FakeSocket(Namespace namespace) {
        this.namespace = namespace;
    }

    /** A socket connected to {@code namespace}. */
    public static FakeSocket connect(Namespace namespace) {
        FakeSocket socket = new FakeSocket(namespace);
        namespace.addClient(socket);
        return socket;
    }

    public String id() {
        return id.toString();
    }

    public void writable(boolean value) {
        writable = value;
    }

    /** The next event this socket receives, within 2 s (failing the test otherwise). */
    public Received next() throws InterruptedException {
        Received next = received.poll(2, TimeUnit.SECONDS);
        assertThat(next).as("an event reached the socket").isNotNull();
        return next;
    }

    /**
     * Sends a marker from {@code from} to its whole namespace: over a transport that keeps order, a socket whose next
     * event is the marker got nothing else before it.
     */
    public static void assertNothingElse(ClusterNamespace from, FakeSocket... sockets) throws InterruptedException {
        from.emit("marker");
        for (FakeSocket socket : sockets) {
            assertThat(socket.next().event()).isEqualTo("marker");
        }
    }

    @Override
    public HandshakeData getHandshakeData() {
        return handshake;
    }

    @Override
    public Transport getTransport() {
        return Transport.WEBSOCKET;
    }

    @Override
    public EngineIOVersion getEngineIOVersion() {
        return EngineIOVersion.V4;
    }

    @Override
    public boolean isWritable() {
        return writable;
    }

    @Override
    public void sendEvent(String name, AckCallback<?> ackCallback, Object... data) {
        received.add(new Received(name, List.of(data), ackCallback));
    }

    @Override
    public void sendEvent(String name, Object... data) {
        received.add(new Received(name, List.of(data), null));
    }

    @Override
    public void send(Packet packet, AckCallback<?> ackCallback) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void send(Packet packet) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void disconnect() {
        disconnects.add("disconnect");
        namespace.onDisconnect(this);
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
        return handshake.getAddress();
    }

    @Override
    public boolean isChannelOpen() {
        return true;
    }

    @Override
    public void joinRoom(String room) {
        namespace.joinRoom(room, id);
    }

    @Override
    public void joinRooms(Set<String> rooms) {
        namespace.joinRooms(rooms, id);
    }

    @Override
    public void leaveRoom(String room) {
        namespace.leaveRoom(room, id);
    }

    @Override
    public void leaveRooms(Set<String> rooms) {
        namespace.leaveRooms(rooms, id);
    }

    @Override
    public Set<String> getAllRooms() {
        return namespace.getRooms(this);
    }

    @Override
    public int getCurrentRoomSize(String room) {
        return namespace.getRoomClientsInCluster(room);
    }

    @Override
    public void set(String key, Object val) {
        store.put(key, val);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T get(String key) {
        return (T) store.get(key);
    }

    @Override
    public boolean has(String key) {
        return store.containsKey(key);
    }

    @Override
    public void del(String key) {
        store.remove(key);
    }
}
