package io.realtime.cluster;

import com.corundumstudio.socketio.AckCallback;
import com.corundumstudio.socketio.HandshakeData;
import com.corundumstudio.socketio.SocketIOClient;
import com.corundumstudio.socketio.namespace.Namespace;
import com.corundumstudio.socketio.transport.NamespaceClient;

import io.realtime.cluster.recovery.SessionRecovery;

import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * The in-memory adapter: the verbs of {@link ClusterAdapter} applied to the sockets of this node, over a
 * netty-socketio {@link Namespace} (which keeps room membership). A single node uses it as it is; the Redis
 * adapter extends it and applies remote requests through the same methods.
 */
public class LocalAdapter implements ClusterAdapter {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(LocalAdapter.class);

    /** Key of a socket's {@code data} (socket.io's {@code socket.data}) in netty-socketio's client store. */
    public static final String SOCKET_DATA_KEY = "data";

    protected final Namespace namespace;
    protected final String name;
    protected final ClusterObserver observer;
    private final BroadcastEncoder<?> encoder;
    private final ObservedRooms rooms;
    /** Each event's listeners, in the order they were added: every one hears the event (socket.io's EventEmitter). */
    private final Map<String, List<ServerSideListener>> serverSideListeners = new ConcurrentHashMap<>();
    /**
     * {@code null} when connection state recovery is off: then broadcasts carry no offset and cost nothing more.
     * Volatile: a transport's thread may deliver while a subclass is still built and sets it ({@link #useRecovery});
     * once a restore can start here, that thread hands every broadcast to it (streams recovery relies on this).
     */
    private volatile SessionRecovery recovery;
    private final java.util.concurrent.atomic.AtomicBoolean refusedJoinLogged = new java.util.concurrent.atomic.AtomicBoolean();

    public LocalAdapter(Namespace namespace) {
        this(namespace, ClusterObserver.NONE);
    }

    public LocalAdapter(Namespace namespace, ClusterObserver observer) {
        this(namespace, observer, null);
    }

    public LocalAdapter(Namespace namespace, ClusterObserver observer, BroadcastEncoder<?> encoder) {
        this(namespace, observer, encoder, null);
    }

    /** @param recovery this namespace's connection state recovery; {@code null} when it is off */
    public LocalAdapter(Namespace namespace, ClusterObserver observer, BroadcastEncoder<?> encoder, SessionRecovery recovery) {
        this.recovery = recovery;
        this.namespace = namespace;
        this.name = namespace.getName().isEmpty() ? "/" : namespace.getName();
        this.observer = observer;
        this.encoder = encoder;
        this.rooms = ObservedRooms.of(namespace);
    }

    /**
     * Tells of every room of this node created (its first socket joined) and deleted (its last left) from now on,
     * the namespace's own room aside; returns the rooms that exist now. Once per namespace.
     */
    protected List<String> watchRooms(Consumer<String> created, Consumer<String> deleted) {
        return rooms.watch(created, deleted);
    }

    /** Stops the room events {@link #watchRooms} asked for with {@code created}. */
    protected void unwatchRooms(Consumer<String> created) {
        rooms.unwatch(created);
    }

    @Override
    public String namespace() {
        return name;
    }

    @Override
    public void broadcast(ClusterPacket packet, BroadcastOptions opts) {
        SessionRecovery kept = recovery;
        if (kept == null) {
            prepare(packet, opts).run();
        } else {
            kept.broadcast(packet, opts, withOffset -> prepare(withOffset, opts));
        }
    }

    /** This namespace's connection state recovery, when it is on. */
    public java.util.Optional<SessionRecovery> recovery() {
        return java.util.Optional.ofNullable(recovery);
    }

    /** Set once, while a subclass is built, when its recovery comes from its transport. */
    protected void useRecovery(SessionRecovery value) {
        if (recovery != null) {
            throw new IllegalStateException("recovery is set once");
        }
        recovery = value;
    }

    /** Sends to this node's sockets now, with no offset and no place in any log (socket.io's local broadcasts). */
    protected void broadcastUnrecorded(ClusterPacket packet, BroadcastOptions opts) {
        prepare(packet, opts).run();
    }

    /** A broadcast read back from the cluster's log at {@code offset}: sent with that offset when recovery is on. */
    protected void broadcastAt(String offset, ClusterPacket packet, BroadcastOptions opts) {
        SessionRecovery kept = recovery;
        if (kept == null) {
            prepare(packet, opts).run();
        } else {
            kept.delivered(offset, packet, opts, withOffset -> prepare(withOffset, opts));
        }
    }

    /** Chooses the recipients now; the result sends to them (recovery runs it outside its lock, in offset order). */
    private Runnable prepare(ClusterPacket packet, BroadcastOptions opts) {
        Recipients chosen = recipients(opts);
        Recipients recipients = opts.volatile_() ? writable(chosen) : chosen;
        return () -> deliver(packet, recipients);
    }

    private static Recipients writable(Recipients recipients) {
        List<SocketIOClient> writable = new ArrayList<>(recipients.clients().size());
        for (SocketIOClient client : recipients.clients()) {
            if (client.isWritable()) {
                writable.add(client);
            }
        }
        return Recipients.of(writable);
    }

    private void deliver(ClusterPacket packet, Recipients recipients) {
        // Encoded once and handed over in one go when the server can (the same bytes go to every socket).
        List<SocketIOClient> unserved = encoder != null && !recipients.isEmpty()
                ? sendEncoded(encoder, packet, recipients) : recipients.clients();
        if (!unserved.isEmpty()) {
            Object[] args = packet.args().toArray();
            unserved.forEach(client -> client.sendEvent(packet.event(), args));
        }
        observer.delivered(name, recipients.clients().size());
    }

    private <E> List<SocketIOClient> sendEncoded(BroadcastEncoder<E> typed, ClusterPacket packet, Recipients recipients) {
        return typed.sendAll(typed.encode(name, packet), recipients);
    }

    @Override
    public void broadcastWithAck(ClusterPacket packet, BroadcastOptions opts, IntConsumer clientCount, Consumer<Object> ack) {
        Object[] args = packet.args().toArray();
        int timeoutSeconds = opts.timeout() == null ? -1 : (int) Math.max(1, (opts.timeout().toMillis() + 999) / 1000);
        List<SocketIOClient> recipients = select(opts);
        for (SocketIOClient client : recipients) {
            client.sendEvent(packet.event(), new AckCallback<>(Object.class, timeoutSeconds) {
                @Override
                public void onSuccess(Object result) {
                    ack.accept(result);
                }
            }, args);
        }
        clientCount.accept(recipients.size());
    }

    @Override
    public CompletionStage<Set<String>> allRooms() {
        return CompletableFuture.completedFuture(localRooms());
    }

    /**
     * Whether {@code room} is netty-socketio's room of the namespace's every socket, named as the namespace ({@code ""}
     * for the main one, {@code "/chat"}): no room to the cluster. socket.io has no such room, so a room of that name is
     * one nobody joined here (netty-socketio could not keep it beside its own): it selects nobody, and the cluster's
     * joins and leaves leave netty's own alone.
     */
    protected final boolean isNamespaceRoom(String room) {
        return room.equals(namespace.getName());
    }

    /** The rooms of this node as socket.io counts them: rooms joined, and each socket's own id. */
    protected Set<String> localRooms() {
        Set<String> rooms = new LinkedHashSet<>();
        for (String room : namespace.getRooms()) {
            if (!isNamespaceRoom(room)) {
                rooms.add(room);
            }
        }
        namespace.getAllClients().forEach(client -> rooms.add(SocketIds.wire(client.getSessionId())));
        return rooms;
    }

    /** Whether a socket of this node is in {@code room}. */
    protected boolean hasRoom(String room) {
        // The size of the room's id set: getRoomClients would build the list of its clients just to look at one.
        return !isNamespaceRoom(room) && namespace.getRoomClientsInCluster(room) > 0 || clientById(room) != null;
    }

    @Override
    public CompletionStage<Set<String>> sockets(BroadcastOptions opts) {
        return CompletableFuture.completedFuture(localSocketIds(opts));
    }

    /** The ids of this node's sockets {@code opts} selects (without their details). */
    protected Set<String> localSocketIds(BroadcastOptions opts) {
        Set<String> ids = new LinkedHashSet<>();
        select(opts).forEach(client -> ids.add(SocketIds.wire(client.getSessionId())));
        return ids;
    }

    @Override
    public CompletionStage<List<SocketDetails>> fetchSockets(BroadcastOptions opts) {
        return CompletableFuture.completedFuture(localSocketDetails(opts));
    }

    protected List<SocketDetails> localSocketDetails(BroadcastOptions opts) {
        List<SocketDetails> details = new ArrayList<>();
        for (SocketIOClient client : select(opts)) {
            details.add(detailsOf(client));
        }
        return details;
    }

    /**
     * One socket of this namespace as {@code fetchSockets} answers it (its data a copy), read on the caller's thread;
     * also a socket its namespace does not list yet, whose connect listeners have not run.
     */
    public SocketDetails detailsOf(SocketIOClient client) {
        Set<String> rooms = new LinkedHashSet<>();
        rooms.add(SocketIds.wire(client.getSessionId()));
        client.getAllRooms().stream().filter(room -> !isNamespaceRoom(room)).forEach(rooms::add);
        // socket.io's socket.data is an object from the start; Node code reads it without a null check
        // (the Admin UI's serializeData does), so a socket nobody gave data to answers {}.
        Object data = client.get(SOCKET_DATA_KEY);
        return new SocketDetails(SocketIds.wire(client.getSessionId()), handshakeOf(client.getHandshakeData()), rooms,
                data == null ? Map.of() : snapshotOf(data));
    }

    private static final int SNAPSHOT_ATTEMPTS = 3;

    /**
     * A copy of a socket's data, its maps, lists and sets copied all the way down (other values are shared). The
     * details are read on another thread than the one the application changes the data on (the cluster's work
     * thread encodes them for another node, the Admin UI lists them on its own), so they hold what the data was, not
     * the application's live objects. An application that changes a plain map while it is copied makes the copy fail
     * ({@link ConcurrentModificationException}); it is taken again, a few times.
     */
    static Object snapshotOf(Object data) {
        for (int attempt = 1; ; attempt++) {
            try {
                return copyOf(data);
            } catch (ConcurrentModificationException e) {
                if (attempt == SNAPSHOT_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    private static Object copyOf(Object value) {
        if (value instanceof Map<?, ?> map) {
            // Null values kept: socket.data may hold them.
            Map<Object, Object> copy = new LinkedHashMap<>();
            map.forEach((key, item) -> copy.put(key, copyOf(item)));
            return copy;
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>(list.size());
            list.forEach(item -> copy.add(copyOf(item)));
            return copy;
        }
        if (value instanceof Set<?> set) {
            Set<Object> copy = new LinkedHashSet<>();
            set.forEach(item -> copy.add(copyOf(item)));
            return copy;
        }
        return value;
    }

    @Override
    public void addSockets(BroadcastOptions opts, Set<String> rooms) {
        Set<String> joined = withoutNamespaceRoom(rooms);
        if (joined.size() < rooms.size() && refusedJoinLogged.compareAndSet(false, true)) {
            log.warn("sockets of {} are not joined to a room named as their namespace: netty-socketio keeps every socket"
                    + " of it in a room of that name, which the cluster leaves alone (logged once)", name);
        }
        if (!joined.isEmpty()) {
            select(opts).forEach(client -> client.joinRooms(joined));
        }
    }

    @Override
    public void delSockets(BroadcastOptions opts, Set<String> rooms) {
        // Out of netty-socketio's namespace room, a socket would be missed by what is sent to that room.
        Set<String> left = withoutNamespaceRoom(rooms);
        if (!left.isEmpty()) {
            select(opts).forEach(client -> client.leaveRooms(left));
        }
    }

    private Set<String> withoutNamespaceRoom(Set<String> rooms) {
        if (!rooms.contains(namespace.getName())) {
            return rooms;
        }
        Set<String> others = new LinkedHashSet<>(rooms);
        others.remove(namespace.getName());
        return others;
    }

    @Override
    public void disconnectSockets(BroadcastOptions opts, boolean close) {
        for (SocketIOClient client : select(opts)) {
            if (close && client instanceof NamespaceClient socket) {
                socket.getBaseClient().disconnect();
            } else {
                client.disconnect();
            }
        }
    }

    @Override
    public void serverSideEmit(List<Object> eventAndArgs) {
        // One node: there is no other server to tell.
    }

    @Override
    public CompletionStage<List<Object>> serverSideEmitWithAck(List<Object> eventAndArgs) {
        return CompletableFuture.completedFuture(List.of());
    }

    /** Adds a listener of {@code event}: one added before keeps hearing it too, as with socket.io's {@code io.on}. */
    @Override
    public void onServerSideEmit(String event, ServerSideListener listener) {
        java.util.Objects.requireNonNull(listener, "listener");
        serverSideListeners.computeIfAbsent(event, key -> new CopyOnWriteArrayList<>()).add(listener);
    }

    /**
     * Runs every listener of a server-side event that arrived from another server, in the order they were added. With
     * an {@code ack}, the first answer is the one sent: later ones, from the same listener or another, are dropped. A
     * listener that throws does not keep the event from the ones after it; the first failure is thrown afterwards.
     */
    protected void deliverServerSideEmit(List<Object> eventAndArgs, Consumer<Object> ack) {
        if (eventAndArgs.isEmpty() || !(eventAndArgs.get(0) instanceof String event)) {
            return;
        }
        List<ServerSideListener> listeners = serverSideListeners.get(event);
        if (listeners == null || listeners.isEmpty()) {
            return;
        }
        Consumer<Object> once = ack == null ? null : firstOnly(ack);
        List<Object> args = eventAndArgs.subList(1, eventAndArgs.size());
        RuntimeException failure = null;
        for (ServerSideListener listener : listeners) {
            try {
                listener.onEvent(args, once);
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static Consumer<Object> firstOnly(Consumer<Object> ack) {
        java.util.concurrent.atomic.AtomicBoolean answered = new java.util.concurrent.atomic.AtomicBoolean();
        return answer -> {
            if (answered.compareAndSet(false, true)) {
                ack.accept(answer);
            }
        };
    }

    @Override
    public CompletionStage<Integer> serverCount() {
        return CompletableFuture.completedFuture(1);
    }

    @Override
    public void close() {
    }

    /** The local sockets {@code opts} select, each once, in a stable order; unmodifiable. */
    protected List<SocketIOClient> select(BroadcastOptions opts) {
        return recipients(opts).clients();
    }

    /** The local sockets {@code opts} select, each once, in a stable order. */
    protected Recipients recipients(BroadcastOptions opts) {
        // The common cases, one room or everyone and nobody left out, need none of the merging below.
        if (opts.except().isEmpty() && opts.rooms().size() == 1) {
            return roomRecipients(opts.rooms().iterator().next());
        }
        if (opts.except().isEmpty() && opts.rooms().isEmpty()) {
            return rooms.everyone();
        }
        Set<UUID> excluded = new HashSet<>();
        for (String room : opts.except()) {
            members(room).forEach(client -> excluded.add(client.getSessionId()));
            SocketIOClient byId = clientById(room);
            if (byId != null) {
                excluded.add(byId.getSessionId());
            }
        }
        Map<UUID, SocketIOClient> selected = new LinkedHashMap<>();
        if (opts.rooms().isEmpty()) {
            namespace.getAllClients().forEach(client -> selected.put(client.getSessionId(), client));
        } else {
            for (String room : opts.rooms()) {
                members(room).forEach(client -> selected.put(client.getSessionId(), client));
                SocketIOClient byId = clientById(room);
                if (byId != null) {
                    selected.put(byId.getSessionId(), byId);
                }
            }
        }
        selected.keySet().removeAll(excluded);
        return Recipients.of(new ArrayList<>(selected.values()));
    }

    /**
     * The sockets in {@code room}, or the socket whose id it is (each socket is in a room of its own id): a room's
     * recipients are kept from one broadcast to the next while its membership stays the same.
     */
    private Recipients roomRecipients(String room) {
        Recipients members = isNamespaceRoom(room) ? Recipients.none() : rooms.recipients(room);
        SocketIOClient byId = clientById(room);
        if (byId == null || members.clients().contains(byId)) {
            return members;
        }
        List<SocketIOClient> withSocket = new ArrayList<>(members.clients());
        withSocket.add(byId);
        return Recipients.of(withSocket);
    }

    /** The sockets that joined {@code room} (none for netty-socketio's namespace room: {@link #isNamespaceRoom}). */
    private Iterable<SocketIOClient> members(String room) {
        return isNamespaceRoom(room) ? List.of() : namespace.getRoomClients(room);
    }

    protected boolean hasSocket(String id) {
        return clientById(id) != null;
    }

    private SocketIOClient clientById(String id) {
        UUID socket = SocketIds.parse(id);
        return socket == null ? null : namespace.getClient(socket);
    }

    /** As a JavaScript {@code Date}'s {@code toString()}, which socket.io's handshake holds as {@code time}. */
    private static final java.time.format.DateTimeFormatter JS_DATE =
            java.time.format.DateTimeFormatter.ofPattern("EEE MMM dd uuuu HH:mm:ss 'GMT'xx '('zzzz')'", java.util.Locale.US);

    static String handshakeTime(java.util.Date time, java.time.ZoneId zone) {
        return JS_DATE.format(time.toInstant().atZone(zone));
    }

    private static Map<String, Object> handshakeOf(HandshakeData handshake) {
        Map<String, Object> headers = new LinkedHashMap<>();
        handshake.getHttpHeaders().forEach(header -> headers.putIfAbsent(header.getKey().toLowerCase(), header.getValue()));
        Map<String, Object> query = new LinkedHashMap<>();
        handshake.getUrlParams().forEach((key, values) -> query.put(key, values.isEmpty() ? "" : values.get(0)));
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("headers", headers);
        result.put("time", handshakeTime(handshake.getTime(), java.time.ZoneId.systemDefault()));
        result.put("address", handshake.getAddress() == null ? null : handshake.getAddress().getAddress().getHostAddress());
        result.put("xdomain", handshake.isXdomain());
        result.put("secure", false);
        result.put("issued", handshake.getTime().getTime());
        result.put("url", handshake.getUrl());
        result.put("query", query);
        result.put("auth", handshake.getAuthToken() == null ? Map.of() : handshake.getAuthToken());
        return result;
    }
}
