package io.realtime.cluster.core;

import com.corundumstudio.socketio.namespace.Namespace;
import io.realtime.cluster.BroadcastEncoder;
import io.realtime.cluster.BroadcastOptions;
import io.realtime.cluster.ClusterObserver;
import io.realtime.cluster.ClusterPacket;
import io.realtime.cluster.ClusterUnavailableException;
import io.realtime.cluster.LocalAdapter;
import io.realtime.cluster.SocketDetails;
import io.realtime.cluster.core.ClusterMessage.AllRooms;
import io.realtime.cluster.core.ClusterMessage.AllRoomsResponse;
import io.realtime.cluster.core.ClusterMessage.Broadcast;
import io.realtime.cluster.core.ClusterMessage.BroadcastAck;
import io.realtime.cluster.core.ClusterMessage.BroadcastClientCount;
import io.realtime.cluster.core.ClusterMessage.DisconnectSockets;
import io.realtime.cluster.core.ClusterMessage.FetchSockets;
import io.realtime.cluster.core.ClusterMessage.FetchSocketsResponse;
import io.realtime.cluster.core.ClusterMessage.ServerSideEmit;
import io.realtime.cluster.core.ClusterMessage.ServerSideEmitResponse;
import io.realtime.cluster.core.ClusterMessage.SocketIds;
import io.realtime.cluster.core.ClusterMessage.SocketIdsResponse;
import io.realtime.cluster.core.ClusterMessage.SocketsJoin;
import io.realtime.cluster.core.ClusterMessage.SocketsLeave;

import io.realtime.cluster.recovery.RecoveryOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.function.Supplier;

/**
 * The adapter of one namespace in a cluster, whatever carries its messages (socket.io-adapter's
 * {@code ClusterAdapter}, ported): every verb is applied to this node's sockets at once and published for the
 * others; requests count the servers, wait for {@code count - 1} answers and fail at their timeout with what
 * arrived; this node's own messages coming back are ignored. The transport only publishes, subscribes and counts.
 *
 * <p>A message the transport cannot encode (an argument the wire cannot carry) throws to the caller before anything
 * of it is delivered, here or anywhere: a broadcast, join, leave or disconnect is published before it is applied here
 * (over a log, appended before it is), and a request never sent is forgotten, not left to count as timed out.
 */
public final class ClusterCoreAdapter extends LocalAdapter implements MessageReceiver {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Logger log = LoggerFactory.getLogger(ClusterCoreAdapter.class);

    private static final long REFUSAL_LOG_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final NamespaceChannel channel;
    private final String uid;
    /** Ends the room events this adapter's transport asked for, so that an adapter made after it may have them. */
    private final Runnable stopRoomEvents;
    private volatile boolean closed;
    private final Duration requestTimeout;
    private final ClusterTransport transport;
    private final Requests requests;
    private final Map<String, AckRequest> ackRequests = new ConcurrentHashMap<>();
    private volatile long lastRefusalLogged;

    private record AckRequest(IntConsumer clientCount, Consumer<Object> ack) {
    }

    public ClusterCoreAdapter(Namespace namespace, ClusterTransport transport, Duration requestTimeout,
                              ClusterObserver observer, BroadcastEncoder<?> encoder) {
        this(namespace, transport, requestTimeout, observer, encoder, null);
    }

    /**
     * @param recovery connection state recovery over the transport's log; {@code null} when off
     * @throws UnsupportedOperationException when recovery is asked of a transport that keeps no log
     */
    public ClusterCoreAdapter(Namespace namespace, ClusterTransport transport, Duration requestTimeout,
                              ClusterObserver observer, BroadcastEncoder<?> encoder, RecoveryOptions recovery) {
        super(namespace, observer, encoder);
        this.transport = transport;
        this.requestTimeout = requestTimeout;
        this.requests = new Requests(transport.scheduler(), observer, transport.stats());
        this.channel = transport.open(name, this);
        this.uid = channel.uid();
        if (recovery != null) {
            useRecovery(channel.recovery(recovery, SOCKET_DATA_KEY));
        }
        if (channel.wantsRoomEvents()) {
            Consumer<String> created = room -> channel.roomCreated(room, false);
            watchRooms(created, room -> channel.roomDeleted(room, false)).forEach(created);
            stopRoomEvents = () -> unwatchRooms(created);
            // netty-socketio cannot remove a connect listener: a closed adapter's stay, and do nothing.
            namespace.addConnectListener(client -> {
                if (!closed) {
                    channel.roomCreated(io.realtime.cluster.SocketIds.wire(client.getSessionId()), true);
                }
            });
            namespace.addDisconnectListener(client -> {
                if (!closed) {
                    channel.roomDeleted(io.realtime.cluster.SocketIds.wire(client.getSessionId()), true);
                }
            });
            namespace.getAllClients().forEach(client -> channel.roomCreated(io.realtime.cluster.SocketIds.wire(client.getSessionId()), true));
        } else {
            stopRoomEvents = () -> { };
        }
    }

    /** This node's id on the wire for this namespace. */
    public String uid() {
        return uid;
    }

    // ---- verbs ---------------------------------------------------------------------------------------------

    @Override
    public void broadcast(ClusterPacket packet, BroadcastOptions opts) {
        if (channel.ordersBroadcasts()) {
            if (opts.local()) {
                broadcastUnrecorded(packet, opts);
                return;
            }
            // Delivered here too when the log gives it back, in the order every node sees (with its offset).
            channel.append(new Broadcast(uid, packet, opts, null)).whenComplete((offset, failure) -> {
                if (failure != null) {
                    // socket.io's ClusterAdapter sends it to its own sockets anyway, without an offset.
                    broadcastUnrecorded(packet, opts);
                }
            });
            return;
        }
        if (!opts.local()) {
            channel.publish(new Broadcast(uid, packet, opts, null));
        }
        super.broadcast(packet, opts);
    }

    @Override
    public void broadcastWithAck(ClusterPacket packet, BroadcastOptions opts, IntConsumer clientCount, Consumer<Object> ack) {
        if (!opts.local()) {
            String requestId = newRequestId();
            ackRequests.put(requestId, new AckRequest(clientCount, ack));
            // Nothing tells when every client answered: the entry simply goes when the caller stops waiting.
            Duration timeout = opts.timeout() == null ? requestTimeout : opts.timeout();
            transport.scheduler().schedule(() -> ackRequests.remove(requestId), timeout.toMillis(), TimeUnit.MILLISECONDS);
            CompletionStage<Void> sent;
            try {
                sent = channel.publish(new Broadcast(uid, packet, opts, requestId));
            } catch (RuntimeException e) {
                ackRequests.remove(requestId);
                throw e;
            }
            sent.whenComplete((ok, failure) -> {
                if (failure != null) {
                    ackRequests.remove(requestId);
                }
            });
        }
        super.broadcastWithAck(packet, opts, clientCount, ack);
    }

    @Override
    public void addSockets(BroadcastOptions opts, Set<String> rooms) {
        applyEverywhere(opts, new SocketsJoin(uid, opts, rooms));
    }

    @Override
    public void delSockets(BroadcastOptions opts, Set<String> rooms) {
        applyEverywhere(opts, new SocketsLeave(uid, opts, rooms));
    }

    @Override
    public void disconnectSockets(BroadcastOptions opts, boolean close) {
        applyEverywhere(opts, new DisconnectSockets(uid, opts, close));
    }

    /**
     * A join, leave or disconnect of the sockets {@code opts} selects, here and on every node. Over a log that orders
     * broadcasts it is applied here when the log gives it back, as the broadcasts are: a broadcast sent before it
     * reaches this node's sockets before they leave or are disconnected, as on every other node.
     */
    private void applyEverywhere(BroadcastOptions opts, ClusterMessage change) {
        if (opts.local()) {
            applyHere(change);
        } else if (channel.ordersBroadcasts()) {
            channel.append(change).whenComplete((offset, failure) -> {
                if (failure != null) {
                    applyHere(change);
                }
            });
        } else {
            channel.publish(change);
            applyHere(change);
        }
    }

    /** Applies a join, leave or disconnect to this node's sockets (any other message is not one to apply). */
    private void applyHere(ClusterMessage message) {
        switch (message.type()) {
            case SOCKETS_JOIN -> {
                SocketsJoin join = (SocketsJoin) message;
                super.addSockets(join.opts(), join.rooms());
            }
            case SOCKETS_LEAVE -> {
                SocketsLeave leave = (SocketsLeave) message;
                super.delSockets(leave.opts(), leave.rooms());
            }
            case DISCONNECT_SOCKETS -> {
                DisconnectSockets disconnect = (DisconnectSockets) message;
                super.disconnectSockets(disconnect.opts(), disconnect.close());
            }
            default -> {
            }
        }
    }

    @Override
    public void serverSideEmit(List<Object> eventAndArgs) {
        channel.publish(new ServerSideEmit(uid, null, eventAndArgs));
    }

    @Override
    public CompletionStage<List<Object>> serverSideEmitWithAck(List<Object> eventAndArgs) {
        return serverSideEmitWithAck(eventAndArgs, requestTimeout);
    }

    @Override
    public CompletionStage<List<Object>> serverSideEmitWithAck(List<Object> eventAndArgs, Duration timeout) {
        return ask("serverSideEmit", List.of(), timeout, requestId -> new ServerSideEmit(uid, requestId, eventAndArgs));
    }

    @Override
    public CompletionStage<List<SocketDetails>> fetchSockets(BroadcastOptions opts) {
        List<SocketDetails> local = localSocketDetails(opts);
        if (opts.local()) {
            return CompletableFuture.completedFuture(local);
        }
        Duration timeout = opts.timeout() != null ? opts.timeout() : requestTimeout;
        return ask("fetchSockets", local, timeout, requestId -> new FetchSockets(uid, requestId, opts)).thenApply(all -> {
            List<SocketDetails> sockets = new ArrayList<>(all.size());
            all.forEach(item -> sockets.add((SocketDetails) item));
            return sockets;
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
    public CompletionStage<Set<String>> allRooms() {
        if (!channel.supports(MessageType.ALL_ROOMS)) {
            // The protocol has no such request: the rooms of every socket are the same set (ids included).
            return fetchSockets(BroadcastOptions.ALL).thenApply(sockets -> {
                Set<String> rooms = new LinkedHashSet<>(localRooms());
                sockets.forEach(socket -> rooms.addAll(socket.rooms()));
                return rooms;
            });
        }
        return ask("allRooms", localRooms(), requestId -> new AllRooms(uid, requestId)).thenApply(all -> {
            Set<String> rooms = new LinkedHashSet<>();
            all.forEach(room -> rooms.add((String) room));
            return rooms;
        });
    }

    @Override
    public CompletionStage<Integer> serverCount() {
        return channel.serverCount();
    }

    /** Counts the servers, then asks the others and waits for each one's answer; {@code local} is this node's part. */
    private CompletionStage<List<Object>> ask(String metricName, java.util.Collection<?> local,
                                              java.util.function.Function<String, ClusterMessage> request) {
        return ask(metricName, local, requestTimeout, request);
    }

    private CompletionStage<List<Object>> ask(String metricName, java.util.Collection<?> local, Duration timeout,
                                              java.util.function.Function<String, ClusterMessage> request) {
        return channel.serverCount().thenCompose(servers -> {
            int others = servers - 1;
            if (others <= 0) {
                return CompletableFuture.completedFuture(List.copyOf(local));
            }
            String requestId = newRequestId();
            CompletableFuture<List<Object>> result = requests.start(requestId, metricName, others, local, timeout);
            CompletionStage<Void> sent;
            try {
                sent = channel.publish(request.apply(requestId));
            } catch (RuntimeException e) {
                // Not encodable (an argument the wire cannot carry): the caller's failure, not a request that timed out.
                requests.forget(requestId);
                throw e;
            }
            sent.whenComplete((ok, failure) -> {
                if (failure != null) {
                    requests.fail(requestId, failure instanceof ClusterUnavailableException ? failure
                            : new ClusterUnavailableException("the cluster request could not be sent", failure));
                }
            });
            return result;
        });
    }

    // ---- messages from the other nodes ---------------------------------------------------------------------

    @Override
    public void onMessage(ClusterMessage message, String offset) {
        if (uid != null && message instanceof Broadcast broadcast && broadcast.requestId() == null && offset != null) {
            // Own broadcasts too: a log-ordered transport delivers them here, at their offset.
            broadcastAt(offset, broadcast.packet(), broadcast.opts().asLocal());
            return;
        }
        if (uid != null && offset != null && uid.equals(message.uid())) {
            // Own joins, leaves and disconnects too, in the log's order (applyEverywhere).
            applyHere(message);
            return;
        }
        onMessage(message);
    }

    @Override
    public void onMessage(ClusterMessage message) {
        String own = uid;
        if (own == null || own.equals(message.uid())) {
            // null: the transport subscribed while this adapter is still being built; nothing is for it yet.
            return;
        }
        if (message.type().isResponse()) {
            onResponse(message);
            return;
        }
        switch (message.type()) {
            case BROADCAST -> onBroadcast((Broadcast) message);
            case SOCKETS_JOIN, SOCKETS_LEAVE, DISCONNECT_SOCKETS -> applyHere(message);
            case FETCH_SOCKETS -> {
                FetchSockets fetch = (FetchSockets) message;
                answerElsewhere(fetch, () -> new FetchSocketsResponse(own, fetch.requestId(),
                        localSocketDetails(fetch.opts().asLocal())));
            }
            case SOCKET_IDS -> {
                SocketIds ids = (SocketIds) message;
                answerElsewhere(ids, () -> new SocketIdsResponse(own, ids.requestId(),
                        localSocketIds(new BroadcastOptions(ids.rooms(), Set.of(), true, false, null))));
            }
            case ALL_ROOMS -> {
                AllRooms all = (AllRooms) message;
                answerElsewhere(all, () -> new AllRoomsResponse(own, all.requestId(), localRooms()));
            }
            case SERVER_SIDE_EMIT -> onServerSideEmit((ServerSideEmit) message);
            default -> throw new IllegalStateException("unhandled message type " + message.type());
        }
    }

    /**
     * Works out and publishes the answer to another node's request on the cluster's work thread ({@link ClusterWork}):
     * it walks this node's sockets (tens of thousands of them, say), which on the thread delivering Redis messages
     * would hold up every broadcast behind it. When that queue is full the request goes unanswered and is counted; its
     * asker waits until its timeout, as for a node that is gone.
     */
    private void answerElsewhere(ClusterMessage request, Supplier<ClusterMessage> answer) {
        try {
            transport.work().execute(() -> {
                try {
                    if (!closed) {
                        channel.publishResponse(request.uid(), answer.get());
                    }
                } catch (RuntimeException e) {
                    log.error("answering a {} request of node {} on {} failed", request.type(), request.uid(), name, e);
                }
            });
        } catch (RejectedExecutionException e) {
            transport.stats().recordRequestRefused();
            long now = System.nanoTime();
            long last = lastRefusalLogged;
            if (last == 0 || now - last > REFUSAL_LOG_INTERVAL_NANOS) {
                lastRefusalLogged = now;
                log.warn("not answering a {} request of node {} on {}: the cluster's work queue is full ({} waiting;"
                        + " logged at most once a minute, all are counted)", request.type(), request.uid(), name,
                        ClusterWork.QUEUE_CAPACITY);
            }
        }
    }

    private void onBroadcast(Broadcast broadcast) {
        if (broadcast.requestId() == null) {
            super.broadcast(broadcast.packet(), broadcast.opts().asLocal());
            return;
        }
        String requestId = broadcast.requestId();
        super.broadcastWithAck(broadcast.packet(), broadcast.opts().asLocal(),
                clientCount -> channel.publishResponse(broadcast.uid(), new BroadcastClientCount(uid, requestId, clientCount)),
                ack -> channel.publishResponse(broadcast.uid(), new BroadcastAck(uid, requestId, ack)));
    }

    /**
     * Hands another server's event to this node's listeners on their own thread ({@link ClusterWork#executeListener}),
     * in the order events arrive: a listener may wait (join a {@code fetchSockets()}, whose answers the thread
     * delivering this event delivers too) or be slow, and must hold up neither the messages to this node nor its
     * answers to the other nodes. A listener's failure is the transport's to report ({@link ClusterTransport#handlerFailed}).
     */
    private void onServerSideEmit(ServerSideEmit emit) {
        List<Object> data = new ArrayList<>(emit.data());
        // Answered once whatever the listeners do: deliverServerSideEmit passes on the first answer only.
        Consumer<Object> answer = emit.requestId() == null ? null
                : reply -> channel.publishResponse(emit.uid(), new ServerSideEmitResponse(uid, emit.requestId(), reply));
        try {
            transport.work().executeListener(() -> {
                if (closed) {
                    return;
                }
                try {
                    deliverServerSideEmit(data, answer);
                } catch (RuntimeException e) {
                    transport.handlerFailed("a listener of server-side event " + data.get(0) + " on " + name, e);
                }
            });
        } catch (RejectedExecutionException e) {
            // The transport is closing: nobody is listening any more.
            log.debug("server-side event of node {} on {} not delivered: the transport is closed", emit.uid(), name);
        }
    }

    private void onResponse(ClusterMessage response) {
        String requestId = response.requestId();
        switch (response.type()) {
            case BROADCAST_CLIENT_COUNT -> {
                AckRequest request = ackRequests.get(requestId);
                if (request != null) {
                    request.clientCount().accept(((BroadcastClientCount) response).clientCount());
                }
            }
            case BROADCAST_ACK -> {
                AckRequest request = ackRequests.get(requestId);
                if (request != null) {
                    request.ack().accept(((BroadcastAck) response).ack());
                }
            }
            case FETCH_SOCKETS_RESPONSE -> requests.answer(requestId, response.uid(), ((FetchSocketsResponse) response).sockets());
            case SOCKET_IDS_RESPONSE -> requests.answer(requestId, response.uid(), ((SocketIdsResponse) response).ids());
            case ALL_ROOMS_RESPONSE -> requests.answer(requestId, response.uid(), ((AllRoomsResponse) response).rooms());
            case SERVER_SIDE_EMIT_RESPONSE -> requests.answer(requestId, response.uid(),
                    java.util.Collections.singletonList(((ServerSideEmitResponse) response).data()));
            default -> throw new IllegalStateException("not a response: " + response.type());
        }
    }

    @Override
    public boolean hasRoom(String room) {
        return super.hasRoom(room);
    }

    @Override
    public boolean roomExists(String room) {
        return !isNamespaceRoom(room) && namespace.getRooms().contains(room);
    }

    @Override
    public boolean isLocalSocket(String id) {
        return hasSocket(id);
    }

    @Override
    public void onConnectionLost() {
        requests.failAll(() -> new ClusterUnavailableException("Redis connection lost during the request", null));
    }

    @Override
    public void close() {
        closed = true;
        stopRoomEvents.run();
        channel.close();
        requests.failAll(() -> new ClusterUnavailableException("the cluster adapter was closed", null));
    }

    private static String newRequestId() {
        byte[] bytes = new byte[8];
        RANDOM.nextBytes(bytes);
        return java.util.HexFormat.of().formatHex(bytes);
    }
}
