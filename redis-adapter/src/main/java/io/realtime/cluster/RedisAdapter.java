package io.realtime.cluster;

import com.corundumstudio.socketio.namespace.Namespace;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * The adapter of one namespace in a cluster, speaking the wire protocol of Node's classic
 * {@code @socket.io/redis-adapter} (v8): Java nodes, Node.js socket.io nodes and {@code @socket.io/redis-emitter}
 * publishers can share one Redis. Each verb is applied locally by {@link LocalAdapter} and carried to the other
 * nodes through Redis pub/sub; requests that need answers count the servers with {@code PUBSUB NUMSUB} of the
 * request channel and finish as soon as all answered, or fail after the request timeout with what arrived.
 */
public final class RedisAdapter extends LocalAdapter {

    private static final Logger log = LoggerFactory.getLogger(RedisAdapter.class);

    static final int SOCKETS = 0;
    static final int ALL_ROOMS = 1;
    static final int REMOTE_JOIN = 2;
    static final int REMOTE_LEAVE = 3;
    static final int REMOTE_DISCONNECT = 4;
    static final int REMOTE_FETCH = 5;
    static final int SERVER_SIDE_EMIT = 6;
    static final int BROADCAST = 7;
    static final int BROADCAST_CLIENT_COUNT = 8;
    static final int BROADCAST_ACK = 9;

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] UID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    private final RedisLink link;
    private final RedisAdapterOptions options;
    private final WireCodec codec = new WireCodec();
    private final String uid = randomId(6);
    private final String broadcastChannel;
    private final String requestChannel;
    private final String responseChannel;
    private final String specificResponseChannel;
    private final Map<String, PendingRequest> requests = new ConcurrentHashMap<>();
    private final Map<String, AckRequest> ackRequests = new ConcurrentHashMap<>();

    /** A request waiting for the answers of {@code expected} servers. */
    private static final class PendingRequest {
        final int type;
        final int expected;
        final long startedAt = System.nanoTime();
        final List<Object> results = new ArrayList<>();
        final CompletableFuture<List<Object>> promise = new CompletableFuture<>();
        int answered;
        ScheduledFuture<?> timeout;

        PendingRequest(int type, int expected, int alreadyAnswered) {
            this.type = type;
            this.expected = expected;
            this.answered = alreadyAnswered;
        }
    }

    private record AckRequest(IntConsumer clientCount, Consumer<Object> ack) {
    }

    public RedisAdapter(Namespace namespace, RedisLink link, RedisAdapterOptions options, ClusterObserver observer,
                        BroadcastEncoder encoder) {
        super(namespace, observer, encoder);
        this.link = link;
        this.options = options;
        this.broadcastChannel = options.key() + "#" + name + "#";
        this.requestChannel = options.key() + "-request#" + name + "#";
        this.responseChannel = options.key() + "-response#" + name + "#";
        this.specificResponseChannel = responseChannel + uid + "#";
        link.psubscribe(broadcastChannel + "*", this::onBroadcast);
        link.subscribe(List.of(requestChannel, responseChannel, specificResponseChannel), this::onRequestOrResponse);
        link.onConnectionLost(this::failPendingRequests);
    }

    /** This adapter's id on the wire (6 characters, as Node's). */
    public String uid() {
        return uid;
    }

    // ---- broadcasts ----------------------------------------------------------------------------------------

    @Override
    public void broadcast(ClusterPacket packet, BroadcastOptions opts) {
        if (!opts.local()) {
            String channel = opts.rooms().size() == 1 ? broadcastChannel + opts.rooms().iterator().next() + "#" : broadcastChannel;
            link.publish(channel, codec.msgpack(List.of(uid, wirePacket(packet), wireOpts(opts))));
        }
        super.broadcast(packet, opts);
    }

    private void onBroadcast(String channel, byte[] message) {
        String room = channel.length() > broadcastChannel.length()
                ? channel.substring(broadcastChannel.length(), channel.length() - 1) : "";
        if (!room.isEmpty() && !hasRoom(room)) {
            return;
        }
        if (!(codec.decodeMsgpack(message) instanceof List<?> parts) || parts.size() < 3) {
            return;
        }
        if (uid.equals(parts.get(0)) || !(parts.get(1) instanceof Map<?, ?> packet) || !(parts.get(2) instanceof Map<?, ?> opts)) {
            return;
        }
        Object nsp = packet.get("nsp");
        if (!name.equals(nsp == null ? "/" : nsp)) {
            return;
        }
        ClusterPacket event = eventOf(packet.get("data"));
        if (event != null) {
            super.broadcast(event, optsOf(opts).asLocal());
        }
    }

    @Override
    public void broadcastWithAck(ClusterPacket packet, BroadcastOptions opts, IntConsumer clientCount, Consumer<Object> ack) {
        if (!opts.local()) {
            String requestId = randomId(6);
            Map<String, Object> request = new LinkedHashMap<>();
            request.put("uid", uid);
            request.put("requestId", requestId);
            request.put("type", BROADCAST);
            request.put("packet", wirePacket(packet));
            request.put("opts", wireOpts(opts));
            ackRequests.put(requestId, new AckRequest(clientCount, ack));
            link.schedule(() -> ackRequests.remove(requestId), opts.timeout() == null ? options.requestTimeout() : opts.timeout());
            link.publishNow(requestChannel, codec.msgpack(request)).whenComplete((ok, failure) -> {
                if (failure != null) {
                    ackRequests.remove(requestId);
                }
            });
        }
        super.broadcastWithAck(packet, opts, clientCount, ack);
    }

    // ---- cluster-wide membership ---------------------------------------------------------------------------

    @Override
    public CompletionStage<Set<String>> allRooms() {
        Set<String> local = localRooms();
        return ask(ALL_ROOMS, Map.of(), List.of(local)).thenApply(answers -> {
            Set<String> rooms = new LinkedHashSet<>();
            answers.forEach(answer -> rooms.addAll(stringsOf(answer)));
            return rooms;
        });
    }

    @Override
    public CompletionStage<Set<String>> sockets(BroadcastOptions opts) {
        if (opts.local()) {
            return super.sockets(opts);
        }
        return fetchSockets(opts).thenApply(sockets -> {
            Set<String> ids = new LinkedHashSet<>();
            sockets.forEach(socket -> ids.add(socket.id()));
            return ids;
        });
    }

    @Override
    public CompletionStage<List<SocketDetails>> fetchSockets(BroadcastOptions opts) {
        List<SocketDetails> local = localSocketDetails(opts);
        if (opts.local()) {
            return CompletableFuture.completedFuture(local);
        }
        return ask(REMOTE_FETCH, Map.of("opts", filterOf(opts)), List.of(local)).thenApply(answers -> {
            List<SocketDetails> sockets = new ArrayList<>();
            for (Object answer : answers) {
                if (answer instanceof List<?> list) {
                    for (Object item : list) {
                        if (item instanceof SocketDetails details) {
                            sockets.add(details);
                        } else if (item instanceof Map<?, ?> remote) {
                            sockets.add(detailsOf(remote));
                        }
                    }
                }
            }
            return sockets;
        });
    }

    @Override
    public void addSockets(BroadcastOptions opts, Set<String> rooms) {
        if (opts.local()) {
            super.addSockets(opts, rooms);
        } else {
            tell(REMOTE_JOIN, Map.of("opts", filterOf(opts), "rooms", List.copyOf(rooms)));
        }
    }

    @Override
    public void delSockets(BroadcastOptions opts, Set<String> rooms) {
        if (opts.local()) {
            super.delSockets(opts, rooms);
        } else {
            tell(REMOTE_LEAVE, Map.of("opts", filterOf(opts), "rooms", List.copyOf(rooms)));
        }
    }

    @Override
    public void disconnectSockets(BroadcastOptions opts, boolean close) {
        if (opts.local()) {
            super.disconnectSockets(opts, close);
        } else {
            tell(REMOTE_DISCONNECT, Map.of("opts", filterOf(opts), "close", close));
        }
    }

    /** As Node's adapter: the request is applied here too when it comes back from Redis, like everywhere else. */
    private void tell(int type, Map<String, Object> body) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("uid", uid);
        request.put("type", type);
        request.putAll(body);
        link.publish(requestChannel, codec.json(request));
    }

    // ---- server-side events --------------------------------------------------------------------------------

    @Override
    public void serverSideEmit(List<Object> eventAndArgs) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("uid", uid);
        request.put("type", SERVER_SIDE_EMIT);
        request.put("data", eventAndArgs);
        link.publish(requestChannel, codec.json(request));
    }

    @Override
    public CompletionStage<List<Object>> serverSideEmitWithAck(List<Object> eventAndArgs) {
        return link.subscriberCount(requestChannel).thenCompose(servers -> {
            int others = servers - 1;
            if (others <= 0) {
                return CompletableFuture.completedFuture(List.<Object>of());
            }
            return start(SERVER_SIDE_EMIT, others, 0, Map.of("data", eventAndArgs));
        });
    }

    @Override
    public CompletionStage<Integer> serverCount() {
        return link.subscriberCount(requestChannel);
    }

    // ---- requests and responses ----------------------------------------------------------------------------

    /** Asks every server; {@code localAnswer} counts as this server's answer. */
    private CompletionStage<List<Object>> ask(int type, Map<String, Object> body, List<Object> localAnswer) {
        return link.subscriberCount(requestChannel).thenCompose(servers -> {
            if (servers <= 1) {
                return CompletableFuture.completedFuture(localAnswer);
            }
            return start(type, servers, 1, body).thenApply(answers -> {
                List<Object> all = new ArrayList<>(localAnswer);
                all.addAll(answers);
                return all;
            });
        });
    }

    private CompletionStage<List<Object>> start(int type, int expected, int alreadyAnswered, Map<String, Object> body) {
        String requestId = randomId(6);
        PendingRequest pending = new PendingRequest(type, expected, alreadyAnswered);
        requests.put(requestId, pending);
        pending.timeout = link.schedule(() -> {
            if (requests.remove(requestId, pending)) {
                link.stats().requestTimeouts.increment();
                observer.requestTimedOut(typeName(type));
                synchronized (pending) {
                    pending.promise.completeExceptionally(new ClusterTimeoutException("timeout reached: only "
                            + pending.answered + " responses received out of " + pending.expected, pending.results));
                }
            }
        }, options.requestTimeout());
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("uid", uid);
        request.put("requestId", requestId);
        request.put("type", type);
        request.putAll(body);
        link.publishNow(requestChannel, codec.json(request)).whenComplete((ok, failure) -> {
            if (failure != null && requests.remove(requestId, pending)) {
                pending.timeout.cancel(false);
                link.stats().requestFailures.increment();
                pending.promise.completeExceptionally(RedisLink.unavailable(failure));
            }
        });
        return pending.promise;
    }

    private void failPendingRequests() {
        for (String requestId : List.copyOf(requests.keySet())) {
            PendingRequest pending = requests.remove(requestId);
            if (pending != null) {
                pending.timeout.cancel(false);
                link.stats().requestFailures.increment();
                pending.promise.completeExceptionally(new ClusterUnavailableException("Redis connection lost during the request", null));
            }
        }
    }

    private void onRequestOrResponse(String channel, byte[] message) {
        if (!(codec.decodeRequest(message) instanceof Map<?, ?> body)) {
            return;
        }
        if (channel.startsWith(responseChannel)) {
            onResponse(body);
        } else if (channel.equals(requestChannel)) {
            onRequest(body);
        }
    }

    private void onRequest(Map<?, ?> request) {
        int type = intOf(request.get("type"));
        Object requestId = request.get("requestId");
        switch (type) {
            case SOCKETS -> {
                if (!requests.containsKey(requestId)) {
                    Set<String> ids = new LinkedHashSet<>();
                    localSocketDetails(new BroadcastOptions(stringsOf(request.get("rooms")), Set.of(), true, false, null))
                            .forEach(socket -> ids.add(socket.id()));
                    respond(request, Map.of("requestId", requestId, "sockets", ids));
                }
            }
            case ALL_ROOMS -> {
                if (!requests.containsKey(requestId)) {
                    respond(request, Map.of("requestId", requestId, "rooms", localRooms()));
                }
            }
            case REMOTE_JOIN -> {
                if (request.get("opts") instanceof Map<?, ?> opts) {
                    super.addSockets(optsOf(opts).asLocal(), stringsOf(request.get("rooms")));
                }
            }
            case REMOTE_LEAVE -> {
                if (request.get("opts") instanceof Map<?, ?> opts) {
                    super.delSockets(optsOf(opts).asLocal(), stringsOf(request.get("rooms")));
                }
            }
            case REMOTE_DISCONNECT -> {
                if (request.get("opts") instanceof Map<?, ?> opts) {
                    super.disconnectSockets(optsOf(opts).asLocal(), Boolean.TRUE.equals(request.get("close")));
                }
            }
            case REMOTE_FETCH -> {
                if (!requests.containsKey(requestId) && request.get("opts") instanceof Map<?, ?> opts) {
                    respond(request, Map.of("requestId", requestId, "sockets", localSocketDetails(optsOf(opts).asLocal())));
                }
            }
            case SERVER_SIDE_EMIT -> onServerSideEmit(request);
            case BROADCAST -> onBroadcastWithAck(request);
            default -> log.debug("ignoring request type {}", type);
        }
    }

    private void onServerSideEmit(Map<?, ?> request) {
        if (uid.equals(request.get("uid")) || !(request.get("data") instanceof List<?> data)) {
            return;
        }
        Object requestId = request.get("requestId");
        if (requestId == null) {
            deliverServerSideEmit(new ArrayList<>(data), null);
            return;
        }
        java.util.concurrent.atomic.AtomicBoolean answered = new java.util.concurrent.atomic.AtomicBoolean();
        deliverServerSideEmit(new ArrayList<>(data), answer -> {
            if (answered.compareAndSet(false, true)) {
                Map<String, Object> response = new LinkedHashMap<>();
                response.put("type", SERVER_SIDE_EMIT);
                response.put("requestId", requestId);
                response.put("data", answer);
                link.publishNow(responseChannel, codec.json(response));
            }
        });
    }

    private void onBroadcastWithAck(Map<?, ?> request) {
        Object requestId = request.get("requestId");
        if (ackRequests.containsKey(requestId) || !(request.get("packet") instanceof Map<?, ?> packet)
                || !(request.get("opts") instanceof Map<?, ?> opts)) {
            return;
        }
        ClusterPacket event = eventOf(packet.get("data"));
        if (event == null) {
            return;
        }
        super.broadcastWithAck(event, optsOf(opts).asLocal(), clientCount -> {
            Map<String, Object> response = new LinkedHashMap<>();
            response.put("type", BROADCAST_CLIENT_COUNT);
            response.put("requestId", requestId);
            response.put("clientCount", clientCount);
            respond(request, response);
        }, ack -> {
            Map<String, Object> response = new LinkedHashMap<>();
            response.put("type", BROADCAST_ACK);
            response.put("requestId", requestId);
            response.put("packet", ack);
            link.publishNow(responseChannelFor(request), codec.msgpack(response));
        });
    }

    private void respond(Map<?, ?> request, Map<String, Object> response) {
        link.publishNow(responseChannelFor(request), codec.json(response));
    }

    private String responseChannelFor(Map<?, ?> request) {
        return options.publishOnSpecificResponseChannel() ? responseChannel + request.get("uid") + "#" : responseChannel;
    }

    private void onResponse(Map<?, ?> response) {
        Object requestId = response.get("requestId");
        AckRequest ackRequest = ackRequests.get(requestId);
        if (ackRequest != null) {
            int type = intOf(response.get("type"));
            if (type == BROADCAST_CLIENT_COUNT) {
                ackRequest.clientCount().accept(intOf(response.get("clientCount")));
            } else if (type == BROADCAST_ACK) {
                ackRequest.ack().accept(response.get("packet"));
            }
            return;
        }
        PendingRequest pending = requestId == null ? null : requests.get(requestId);
        if (pending == null) {
            return;
        }
        synchronized (pending) {
            switch (pending.type) {
                case ALL_ROOMS -> {
                    if (response.get("rooms") instanceof List<?> rooms) {
                        pending.results.add(rooms);
                    }
                }
                case REMOTE_FETCH, SOCKETS -> {
                    if (response.get("sockets") instanceof List<?> sockets) {
                        pending.results.add(sockets);
                    }
                }
                case SERVER_SIDE_EMIT -> pending.results.add(response.get("data"));
                default -> {
                    return;
                }
            }
            pending.answered++;
            if (pending.answered >= pending.expected && requests.remove(requestId, pending)) {
                pending.timeout.cancel(false);
                observer.requestCompleted(typeName(pending.type), System.nanoTime() - pending.startedAt);
                pending.promise.complete(new ArrayList<>(pending.results));
            }
        }
    }

    @Override
    public void close() {
        link.unsubscribe(broadcastChannel + "*", List.of(requestChannel, responseChannel, specificResponseChannel));
        failPendingRequests();
    }

    // ---- encoding ------------------------------------------------------------------------------------------

    private Map<String, Object> wirePacket(ClusterPacket packet) {
        List<Object> data = new ArrayList<>(packet.args().size() + 1);
        data.add(packet.event());
        data.addAll(packet.args());
        Map<String, Object> wire = new LinkedHashMap<>();
        wire.put("type", 2);
        wire.put("data", data);
        wire.put("nsp", name);
        return wire;
    }

    private static Map<String, Object> wireOpts(BroadcastOptions opts) {
        Map<String, Object> flags = new LinkedHashMap<>();
        if (opts.volatile_()) {
            flags.put("volatile", true);
        }
        if (opts.timeout() != null) {
            flags.put("timeout", opts.timeout().toMillis());
        }
        Map<String, Object> wire = filterOf(opts);
        wire.put("flags", flags);
        return wire;
    }

    private static Map<String, Object> filterOf(BroadcastOptions opts) {
        Map<String, Object> wire = new LinkedHashMap<>();
        wire.put("rooms", List.copyOf(opts.rooms()));
        wire.put("except", List.copyOf(opts.except()));
        return wire;
    }

    private static BroadcastOptions optsOf(Map<?, ?> wire) {
        boolean isVolatile = wire.get("flags") instanceof Map<?, ?> flags && Boolean.TRUE.equals(flags.get("volatile"));
        Object timeout = wire.get("flags") instanceof Map<?, ?> flags ? flags.get("timeout") : null;
        return new BroadcastOptions(stringsOf(wire.get("rooms")), stringsOf(wire.get("except")), false, isVolatile,
                timeout instanceof Number millis ? java.time.Duration.ofMillis(millis.longValue()) : null);
    }

    private static ClusterPacket eventOf(Object data) {
        if (data instanceof List<?> list && !list.isEmpty() && list.get(0) instanceof String event && !event.isEmpty()) {
            return new ClusterPacket(event, new ArrayList<>(list.subList(1, list.size())));
        }
        return null;
    }

    @SuppressWarnings("unchecked")
    private static SocketDetails detailsOf(Map<?, ?> remote) {
        Map<String, Object> handshake = remote.get("handshake") instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
        return new SocketDetails(String.valueOf(remote.get("id")), handshake, stringsOf(remote.get("rooms")), remote.get("data"));
    }

    private static Set<String> stringsOf(Object value) {
        Set<String> strings = new LinkedHashSet<>();
        if (value instanceof Collection<?> items) {
            items.forEach(item -> strings.add(String.valueOf(item)));
        }
        return strings;
    }

    private static int intOf(Object value) {
        return value instanceof Number number ? number.intValue() : -1;
    }

    private static String typeName(int type) {
        return switch (type) {
            case SOCKETS -> "sockets";
            case ALL_ROOMS -> "allRooms";
            case REMOTE_FETCH -> "fetchSockets";
            case SERVER_SIDE_EMIT -> "serverSideEmit";
            default -> "other";
        };
    }

    static String randomId(int length) {
        char[] id = new char[length];
        for (int i = 0; i < length; i++) {
            id[i] = UID_CHARS[RANDOM.nextInt(UID_CHARS.length)];
        }
        return new String(id);
    }
}
