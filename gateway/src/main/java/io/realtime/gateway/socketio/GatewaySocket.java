package io.realtime.gateway.socketio;

import com.corundumstudio.socketio.HandshakeData;
import com.corundumstudio.socketio.namespace.Namespace;
import com.corundumstudio.socketio.protocol.Packet;
import com.corundumstudio.socketio.protocol.PacketType;
import com.corundumstudio.socketio.transport.NamespaceClient;
import io.realtime.gateway.engineio.SessionFanOut;

import com.corundumstudio.socketio.AckCallback;
import io.realtime.cluster.BroadcastOptions;
import io.realtime.cluster.ClusterPacket;
import io.realtime.cluster.LocalAdapter;
import io.realtime.cluster.SocketIds;
import io.realtime.cluster.recovery.SessionRecovery;
import io.realtime.cluster.recovery.SessionState;
import io.realtime.gateway.stats.DisconnectReason;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * A client's connection to one namespace: netty-socketio's {@code SocketIOClient}, with the handshake (and
 * {@code auth} payload) of that namespace's CONNECT, and a server-side {@link #disconnect()} that really ends the
 * socket the way socket.io's {@code socket.disconnect()} does.
 *
 * <p>Each socket has an id of its own, as in socket.io (not its connection's Engine.IO id): a recovered socket
 * takes its old id again on a new connection. netty-socketio keys rooms and clients by {@link #getSessionId()},
 * so they follow the socket's id; acknowledgements stay keyed by the connection, which netty-socketio clears when
 * the connection closes.
 *
 * <p>With connection state recovery on, the socket has a private session id ({@link #pid()}); every event sent to
 * it without an ack gets an offset, and it leaves its session behind when it goes away for a reason socket.io
 * recovers from.
 */
public final class GatewaySocket extends NamespaceClient implements SessionFanOut.Recipient {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(GatewaySocket.class);

    /**
     * socket.io's {@code RECOVERABLE_DISCONNECT_REASONS}: a client leaving on purpose leaves no session, nor does one
     * the server disconnects (a client closed for abuse ends as "server namespace disconnect").
     */
    private static final Set<DisconnectReason> RECOVERABLE = EnumSet.of(DisconnectReason.TRANSPORT_ERROR,
            DisconnectReason.TRANSPORT_CLOSE, DisconnectReason.FORCED_CLOSE, DisconnectReason.PING_TIMEOUT,
            DisconnectReason.SERVER_SHUTTING_DOWN, DisconnectReason.FORCED_SERVER_CLOSE);

    private static final AtomicIntegerFieldUpdater<GatewaySocket> DISCONNECTED =
            AtomicIntegerFieldUpdater.newUpdater(GatewaySocket.class, "disconnected");
    private static final AtomicIntegerFieldUpdater<GatewaySocket> SESSION_WRITE_QUEUED =
            AtomicIntegerFieldUpdater.newUpdater(GatewaySocket.class, "sessionWriteQueued");

    /**
     * Read only once {@link #constructed} (on every broadcast, through {@link #isLive()}); whatever can run while the
     * socket is being built, from its own loop or another thread, goes through {@link #connection()}.
     */
    private final SocketIoConnection connection;
    private final HandshakeData handshake;
    private final UUID id;
    private final String pid;
    private final SessionRecovery recovery;
    /**
     * Keys this socket set in its connection's store: what a recovered socket gets back. Made at the first key:
     * most sockets never set one, and an empty concurrent set costs 88 bytes.
     */
    private volatile Set<String> keys;
    /**
     * 1 once the socket has ended; with {@link #sessionWriteQueued}, plain volatile ints behind field updaters
     * rather than two AtomicBoolean objects per socket (32 bytes).
     */
    private volatile int disconnected;
    /** A write of the live session is queued on the connection's loop (one for a burst of changes). */
    private volatile int sessionWriteQueued;
    /** Ids of the acks this socket asked of its client (see {@link #rememberAsked}); {@code null} until the first. */
    private java.util.Set<Long> askedAcks;
    private static final int PRUNE_ASKED_AT = 32;
    /**
     * Why the socket ended; set earlier by a server's disconnect waiting behind writes with offsets, so that whatever
     * ends the socket meanwhile (its transport dropping) ends it as the server's doing, which leaves nothing to recover.
     */
    private volatile DisconnectReason disconnectReason;
    /**
     * Set last in the constructor: the namespace lists the socket from inside netty-socketio's constructor, so a
     * broadcast on another loop can meet it before any field of this class is assigned (the volatile write
     * publishes them all).
     */
    private volatile boolean constructed;
    /** Set once its activity heard it connect ({@link #announceConnected}): from then on, its data changes are told. */
    private volatile boolean announced;

    private GatewaySocket(SocketIoConnection connection, Namespace namespace, HandshakeData handshake, UUID id,
                          String pid, SessionRecovery recovery) {
        super(connection, namespace);
        this.connection = connection;
        this.handshake = handshake;
        this.id = id;
        this.pid = pid;
        this.recovery = recovery;
        this.constructed = true;
    }

    /**
     * A socket registered with its namespace under {@code id}.
     *
     * @param pid      its private session id; {@code null} without recovery
     * @param recovery its namespace's recovery; {@code null} when off
     */
    static GatewaySocket create(SocketIoConnection connection, Namespace namespace, HandshakeData handshake, UUID id,
                                String pid, SessionRecovery recovery) {
        connection.underConstruction(new SocketIoConnection.SocketUnderConstruction(namespace, id));
        GatewaySocket socket;
        try {
            socket = new GatewaySocket(connection, namespace, handshake, id, pid, recovery);
        } finally {
            connection.underConstruction(null);
        }
        // socket.io's socket joins the room of its own id as it connects (a recovered one, as it is rebuilt), and its
        // adapter reports that join ("join-room", the Admin UI's room_joined) before the connect listeners run; the
        // room is implicit here (see isMember), so it is reported here, and left again at the end (see end).
        connection.activity().roomJoined(socket, SocketIds.wire(id));
        return socket;
    }

    /**
     * netty-socketio's constructor lists the socket with its namespace by this id before this class's fields are
     * assigned, and from then on another thread (a cluster request listing the namespace's sockets) can ask for it.
     */
    @Override
    public UUID getSessionId() {
        if (constructed) {
            return id;
        }
        SocketIoConnection.SocketUnderConstruction building = connection().underConstruction();
        // None, or another namespace's: this socket's construction ended meanwhile (and the volatile read shows it).
        return building != null && building.namespace() == getNamespace() ? building.id() : id;
    }

    /** The private session id a client presents to recover this socket; {@code null} without recovery. */
    public String pid() {
        return pid;
    }

    /**
     * With recovery on, an event without an ack gets an offset and a place in the namespace's log, as socket.io's
     * {@code socket.emit} does by going through its adapter; netty-socketio's {@code BroadcastOperations} hand
     * each recipient the same packet, so it is copied, never changed.
     */
    @Override
    public void send(Packet packet) {
        if (recovery == null) {
            super.send(packet);
            return;
        }
        if (packet.getSubType() != PacketType.EVENT || packet.getAckId() != null
                || packet.getName() == null || packet.getName().isEmpty()) {
            // Behind the events with offsets already handed to this loop: an ack, an event with an ack or a
            // DISCONNECT written at once would reach the client before an event the socket was sent earlier.
            sendInOffsetOrder(packet);
            return;
        }
        List<Object> args = packet.getData() instanceof List<?> list ? new ArrayList<>(list) : List.of();
        recovery.broadcast(new ClusterPacket(packet.getName(), args),
                new BroadcastOptions(Set.of(SocketIds.wire(getSessionId())), Set.of(), true, false, null),
                withOffset -> () -> {
                    Packet copy = new Packet(PacketType.MESSAGE, getEngineIOVersion());
                    copy.setSubType(PacketType.EVENT);
                    copy.setName(withOffset.event());
                    copy.setData(withOffset.args());
                    // To the socket with this id now: this one, or the one a recovery attached on a new connection
                    // since (an application may hold this object and send later), as socket.io's adapter does.
                    GatewaySocket current = getNamespace().getClient(getSessionId()) instanceof GatewaySocket live ? live : this;
                    current.sendInOffsetOrder(copy);
                });
    }

    /**
     * Sends an event that is never replayed, because the server ends the socket right after it (a notice before a
     * disconnect): without an offset, behind the events with offsets already handed to the socket's loop, where the
     * DISCONNECT that follows queues too. Sent as {@link #sendEvent}, on the streams transport it would go to Redis
     * and come back through the stream's reader, and the DISCONNECT would overtake it and end the socket first.
     */
    public void sendNotice(String name, Object... data) {
        Packet packet = new Packet(PacketType.MESSAGE, getEngineIOVersion());
        packet.setSubType(PacketType.EVENT);
        packet.setName(name);
        packet.setData(java.util.Arrays.asList(data));
        if (recovery == null) {
            super.send(packet);
        } else {
            sendInOffsetOrder(packet);
        }
    }

    /**
     * On the socket's loop, which alone writes its connection (the recovery may run this on another thread), behind
     * packets with earlier offsets handed to that loop.
     */
    private void sendInOffsetOrder(Packet packet) {
        io.realtime.gateway.engineio.OffsetOrder.run(engineSession().eventLoop(), () -> super.send(packet));
    }

    /**
     * On the socket's loop, where its connection closes: an ack registered from another thread just after the close
     * cleared the connection's acks would wait for good.
     */
    @Override
    public void send(Packet packet, AckCallback<?> callback) {
        if (!onLoop(() -> send(packet, callback), callback::onTimeout)) {
            return;
        }
        if (!isLive()) {
            callback.onTimeout();
            return;
        }
        SocketIoConnection base = connection();
        long index = base.getAckManager().registerAck(base.getSessionId(), callback);
        rememberAsked(base, index);
        packet.setAckId(index);
        send(packet);
    }

    /**
     * netty-socketio keeps acks per connection; socket.io per socket, dropping them with it. So this socket keeps the
     * ids it asked, to give up on those still pending when it ends while its connection goes on (see
     * {@link #abandonAsked}). Settled ones are pruned as the set grows. On the socket's loop.
     */
    private void rememberAsked(SocketIoConnection base, long index) {
        if (askedAcks == null) {
            askedAcks = new java.util.HashSet<>(4);
        } else if (askedAcks.size() >= PRUNE_ASKED_AT) {
            askedAcks.removeIf(asked -> base.getAckManager().getCallback(base.getSessionId(), asked) == null);
        }
        askedAcks.add(index);
    }

    /**
     * The acks this socket asked that are still pending: their callers hear a timeout now rather than when the whole
     * connection ends (never, for an ack without a timeout), and the connection forgets them, so a late answer from
     * the client matches nothing. Before the connection's own ack bookkeeping ends (the connection's close ends its
     * sockets first).
     */
    private void abandonAsked() {
        java.util.Set<Long> asked = askedAcks;
        if (asked == null) {
            return;
        }
        askedAcks = null;
        SocketIoConnection base = connection();
        for (long index : asked) {
            base.abandonAck(this, index);
        }
    }

    /**
     * Whether the caller is on the socket's loop; if not, {@code task} is handed to it, or, once the loop takes no
     * more tasks (the node stopping: it may still be running its last ones), {@code ifLoopGone} runs here instead,
     * doing nothing that belongs to the loop.
     */
    private boolean onLoop(Runnable task, Runnable ifLoopGone) {
        io.netty.channel.EventLoop loop = engineSession().eventLoop();
        if (loop.inEventLoop()) {
            return true;
        }
        try {
            loop.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException stopped) {
            ifLoopGone.run();
        }
        return false;
    }

    @Override
    public void set(String key, Object value) {
        keys().add(key);
        super.set(SocketStore.key(getNamespace().getName(), key), value);
        sessionChanged();
        dataChanged(key);
    }

    @Override
    public <T> T get(String key) {
        return super.get(SocketStore.key(getNamespace().getName(), key));
    }

    @Override
    public boolean has(String key) {
        return super.has(SocketStore.key(getNamespace().getName(), key));
    }

    @Override
    public void del(String key) {
        Set<String> known = keys;
        if (known != null) {
            known.remove(key);
        }
        super.del(SocketStore.key(getNamespace().getName(), key));
        sessionChanged();
        dataChanged(key);
    }

    private void dataChanged(String key) {
        if (announced && LocalAdapter.SOCKET_DATA_KEY.equals(key)) {
            connection().activity().dataChanged(this);
        }
    }

    /**
     * Tells the activity the socket connected, before the namespace's connect listeners run; what the activity does
     * to the socket's data meanwhile (the Admin UI's {@code _admin} entry) is not a change it is told of.
     */
    void announceConnected() {
        connection().activity().connected(this);
        announced = true;
    }

    /**
     * The socket's rooms or data changed, or it just connected: a recovery whose sessions outlive their node
     * ({@link SessionRecovery#keepsLiveSessions}) gets its state, once per burst of changes, from the socket's loop.
     */
    void sessionChanged() {
        if (recovery == null || pid == null || !recovery.keepsLiveSessions() || disconnected != 0
                || !SESSION_WRITE_QUEUED.compareAndSet(this, 0, 1)) {
            return;
        }
        engineSession().eventLoop().execute(() -> {
            sessionWriteQueued = 0;
            if (disconnected == 0) {
                recovery.opened(session());
            }
        });
    }

    /** Takes over keys set before the socket existed (by authentication) or by the session it recovers. */
    void keep(Set<String> more) {
        if (!more.isEmpty()) {
            keys().addAll(more);
        }
    }

    private Set<String> keys() {
        Set<String> known = keys;
        if (known == null) {
            synchronized (this) {
                known = keys;
                if (known == null) {
                    known = ConcurrentHashMap.newKeySet(2);
                    keys = known;
                }
            }
        }
        return known;
    }

    @Override
    public HandshakeData getHandshakeData() {
        return handshake;
    }

    /**
     * Joins and leaves are counted ({@code socketio_room_joins_total}, {@code socketio_room_leaves_total}), reported
     * (the Admin UI's {@code room_joined}, {@code room_left}) and saved for a recovery only for the rooms they actually
     * add or remove, as socket.io's adapter reports only a change of membership: joining a room twice is one join, and
     * a cluster-wide {@code socketsLeave(room)} reports only the sockets that were in it.
     *
     * <p>Under the socket's monitor, reports included: joins and leaves come from its loop, cluster requests and the
     * application's threads at once, and "was it a member", the change and its report must be one step, or two joins
     * of one room could both find it new, or a join's report reach the UI after the leave that followed it. {@link
     * #end} takes the rooms under the same monitor, after marking the socket ended: a join that comes later finds it
     * ended and joins nothing (netty-socketio would otherwise keep the ended socket's id in that room for good), and
     * one that came before is in the rooms the end leaves, and reported before they are reported left.
     * {@link SocketActivity} callbacks are quick and never block, so holding the monitor through them is cheap.
     */
    @Override
    public void joinRoom(String room) {
        joinRooms(Set.of(room));
    }

    @Override
    public synchronized void joinRooms(Set<String> rooms) {
        if (disconnected != 0) {
            return;
        }
        List<String> added = changing(rooms, room -> !isMember(room));
        if (added.isEmpty()) {
            return;
        }
        if (added.size() == 1) {
            super.joinRoom(added.get(0));
        } else {
            super.joinRooms(new java.util.LinkedHashSet<>(added));
        }
        sessionChanged();
        for (String room : added) {
            connection().observer().roomJoined(wireName());
            connection().activity().roomJoined(this, room);
        }
    }

    @Override
    public void leaveRoom(String room) {
        leaveRooms(Set.of(room));
    }

    @Override
    public synchronized void leaveRooms(Set<String> rooms) {
        List<String> removed = changing(rooms, getAllRooms()::contains);
        if (removed.isEmpty()) {
            return;
        }
        if (removed.size() == 1) {
            super.leaveRoom(removed.get(0));
        } else {
            super.leaveRooms(new java.util.LinkedHashSet<>(removed));
        }
        sessionChanged();
        String namespaceRoom = getNamespace().getName();
        for (String room : removed) {
            // netty-socketio's room of the namespace (every socket's, never reported joined) is not one of socket.io's.
            if (!room.equals(namespaceRoom)) {
                connection().observer().roomLeft(wireName());
                connection().activity().roomLeft(this, room);
            }
        }
    }

    /** The rooms of {@code rooms} a join or leave would change, in their order. */
    private static List<String> changing(Set<String> rooms, java.util.function.Predicate<String> changes) {
        List<String> changing = new ArrayList<>(rooms.size());
        for (String room : rooms) {
            if (changes.test(room)) {
                changing.add(room);
            }
        }
        return changing;
    }

    /**
     * Whether the socket is in {@code room} already: one of netty-socketio's rooms of it, or the room of its own id,
     * which every socket is in from its start to its end (netty-socketio finds it by id, not among its rooms).
     */
    private boolean isMember(String room) {
        return getAllRooms().contains(room) || room.equals(SocketIds.wire(id));
    }

    /**
     * On the socket's end, takes it out of its rooms (netty-socketio's room of the namespace aside, which its
     * {@code onDisconnect} leaves) and answers the rooms it left, the room of its own id first, as socket.io's adapter
     * lists them when it leaves them all ({@code delAll}). With {@link #disconnected} already set.
     */
    private List<String> leaveAllRooms() {
        String own = SocketIds.wire(id);
        String namespaceRoom = getNamespace().getName();
        List<String> left = new ArrayList<>();
        left.add(own);
        Set<String> toLeave = new java.util.LinkedHashSet<>();
        for (String room : getAllRooms()) {
            if (!room.equals(namespaceRoom)) {
                toLeave.add(room);
            }
        }
        if (!toLeave.isEmpty()) {
            super.leaveRooms(toLeave);
            toLeave.remove(own);
            left.addAll(toLeave);
        }
        return left;
    }

    /** Reports the rooms {@link #leaveAllRooms} left; counts all but the room of its own id (never counted joined). */
    private void reportLeft(List<String> left) {
        String own = SocketIds.wire(id);
        for (String room : left) {
            if (!room.equals(own)) {
                connection().observer().roomLeft(wireName());
            }
            connection().activity().roomLeft(this, room);
        }
    }

    private String wireName() {
        return NamespaceNames.wire(getNamespace());
    }

    /** Whether packets sent now can still reach the client: the socket has not ended, nor its connection. */
    boolean isLive() {
        return constructed && disconnected == 0 && connection.engineSession().isOpen();
    }

    /**
     * The connection this socket belongs to (one per client, shared by its namespaces), from netty-socketio's base
     * client: set before the socket is listed, where this class's field is not.
     */
    public SocketIoConnection connection() {
        return (SocketIoConnection) getBaseClient();
    }

    @Override
    public io.realtime.gateway.engineio.EngineSession engineSession() {
        // From the base client, not this class's field: netty-socketio's constructor sets the base client and then
        // lists the socket with its namespace, before this class's fields are assigned, and a broadcast on another
        // thread grouping its recipients by event loop can meet the socket in between (it skips it at the write,
        // since the socket is not live yet, and reaches it from the next broadcast on).
        return connection().engineSession();
    }

    /** Asked on the connection's loop just before a broadcast is written: the socket may have ended since it was chosen. */
    @Override
    public boolean receivesBroadcasts() {
        return isLive();
    }

    /** Why the socket ended, in socket.io's words ({@code "client namespace disconnect"}, {@code "ping timeout"}...). */
    public String disconnectReason() {
        return disconnected == 0 || disconnectReason == null ? null : disconnectReason.text();
    }

    public boolean isDisconnected() {
        return disconnected != 0;
    }

    /** Sends the DISCONNECT packet and ends the socket; the client sees {@code "io server disconnect"}. */
    @Override
    public void disconnect() {
        disconnect(io.realtime.gateway.stats.DisconnectReason.SERVER_NAMESPACE_DISCONNECT);
    }

    /**
     * As {@link #disconnect()}, counted under {@code reason} (the client sees {@code "io server disconnect"}). On the
     * socket's loop, as all its ending: from another thread it is handed there, so that it cannot end the socket
     * between an event handler's steps, nor a socket still being built (which ends once it is connected).
     */
    public void disconnect(io.realtime.gateway.stats.DisconnectReason reason) {
        if (disconnected != 0 || !onLoop(() -> disconnect(reason), () -> end(reason))) {
            return;
        }
        Packet packet = new Packet(PacketType.MESSAGE, getEngineIOVersion());
        packet.setSubType(PacketType.DISCONNECT);
        if (recovery == null) {
            send(packet);
            end(reason);
            return;
        }
        // The DISCONNECT and the end together behind the events with offsets already handed to the loop: ended
        // first, the socket would drop those events (a "kicked" notice sent just before the disconnect would never
        // arrive). On the streams transport a socket's own event is still on its way through Redis, not waited for
        // (nor is it by socket.io's streams adapter): a notice that must come before the end goes by sendNotice.
        if (disconnectReason != null) {
            return; // A disconnect is queued already: the first one asked is the one the socket ends by.
        }
        disconnectReason = reason;
        io.realtime.gateway.engineio.OffsetOrder.run(engineSession().eventLoop(), () -> {
            super.send(packet);
            end(reason);
        });
    }

    @Override
    public void onDisconnect() {
        end(io.realtime.gateway.stats.DisconnectReason.SERVER_SHUTTING_DOWN);
    }

    /**
     * Ends the socket once: leaves its rooms and runs the namespace's disconnect listeners, then reports the rooms it
     * left (socket.io's Admin UI reports them just after {@code socket_disconnected}, and its UI keeps the rooms of a
     * socket until they are reported left).
     */
    void end(io.realtime.gateway.stats.DisconnectReason reason) {
        if (DISCONNECTED.compareAndSet(this, 0, 1)) {
            if (disconnectReason != null) {
                reason = disconnectReason;
            }
            disconnectReason = reason;
            SessionState kept;
            List<String> left;
            synchronized (this) {
                // Taken before the socket leaves its rooms, kept only once it has left them: a recovery that came
                // earlier would make a socket with this id that the leaving one then takes out of the namespace.
                kept = recovery != null && pid != null && RECOVERABLE.contains(reason) ? session() : null;
                left = leaveAllRooms();
            }
            leaveNamespace();
            if (announced) {
                connection().activity().disconnected(this, reason);
            }
            reportLeft(left);
            forgetData();
            abandonAsked();
            if (kept != null) {
                recovery.persist(kept);
            } else if (recovery != null && pid != null && recovery.keepsLiveSessions()) {
                recovery.discarded(pid);
            }
            connection().socketEnded(this, reason);
        }
    }

    /**
     * Leaves the rooms and runs the namespace's disconnect listeners. netty-socketio hands their exceptions to its
     * exception listener but lets an {@link Error} through, and whatever that listener throws: an application's
     * assertion or a class of its that fails to load would skip what follows here and the ending of the connection's
     * other sockets, leaving their rooms, acks and sessions behind. A non-fatal one is logged and the socket ends as
     * usual.
     */
    private void leaveNamespace() {
        try {
            super.onDisconnect();
        } catch (RuntimeException | Error e) {
            io.realtime.gateway.engineio.FatalErrors.rethrowIfFatal(e);
            log.error("socket {} of {}: a disconnect listener failed", SocketIds.wire(id), getNamespace().getName(), e);
        }
    }

    /**
     * Takes this socket's data out of its connection's store once its disconnect listeners have read it: a socket
     * that joins the namespace again on this connection starts with none, as a new socket.io socket does.
     */
    private void forgetData() {
        Set<String> known = keys;
        if (known != null) {
            String namespace = getNamespace().getName();
            for (String key : known) {
                super.del(SocketStore.key(namespace, key));
            }
        }
    }

    /** What a recovered socket gets back: id, pid, rooms (its own id first, as socket.io lists them), kept keys. */
    private SessionState session() {
        List<String> rooms = new ArrayList<>();
        rooms.add(SocketIds.wire(id));
        String namespaceRoom = getNamespace().getName();
        for (String room : getAllRooms()) {
            if (!room.equals(namespaceRoom)) {
                rooms.add(room);
            }
        }
        Map<String, Object> attributes = new LinkedHashMap<>();
        for (String key : keys != null ? keys : Set.<String>of()) {
            Object value = get(key);
            if (value != null) {
                attributes.put(key, value);
            }
        }
        return new SessionState(SocketIds.wire(id), pid, rooms, io.realtime.gateway.recovery.SessionAttributes.toWire(attributes));
    }
}
