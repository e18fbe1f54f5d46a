package io.realtime.gateway.socketio;

import com.corundumstudio.socketio.AckCallback;
import com.corundumstudio.socketio.AckRequest;
import com.corundumstudio.socketio.AuthTokenResult;
import com.corundumstudio.socketio.HandshakeData;
import com.corundumstudio.socketio.MultiTypeAckCallback;
import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.ack.AckManager;
import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.handler.ClientsBox;
import com.corundumstudio.socketio.namespace.Namespace;
import com.corundumstudio.socketio.protocol.EngineIOVersion;
import com.corundumstudio.socketio.protocol.Packet;
import com.corundumstudio.socketio.protocol.PacketType;
import com.corundumstudio.socketio.scheduler.CancelableScheduler;
import com.corundumstudio.socketio.transport.NamespaceClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.Channel;
import io.netty.util.concurrent.ScheduledFuture;
import io.realtime.cluster.ClusterPacket;
import io.realtime.cluster.SocketIds;
import io.realtime.gateway.engineio.EngineSession;
import io.realtime.gateway.stats.BehaviourClose;
import io.realtime.gateway.stats.DisconnectReason;
import io.realtime.gateway.stats.EventRefusal;
import io.realtime.gateway.stats.RefusalReason;
import io.realtime.gateway.stats.TrafficObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One Socket.IO client connection over an Engine.IO session: the namespaces it joined, the packets it sends, and
 * what the server sends it. It is netty-socketio's {@link ClientHead}, so everything written against
 * netty-socketio's API (namespaces, listeners, acks, rooms, broadcasts) works unchanged; what goes over the wire is
 * decided here and in the Engine.IO layer instead.
 *
 * <p>Incoming packets are handled on the session's event loop; {@link #send(Packet)} may be called from any thread.
 *
 * <p>Longer than our other classes because {@link ClientHead} has some twenty methods netty-socketio calls, most of
 * them answered here in a line; the next split to make is the inbound events (dispatch, argument conversion, the
 * event rate, acks) into a class of their own.
 */
public final class SocketIoConnection extends ClientHead implements EngineSession.Listener {

    private static final Logger log = LoggerFactory.getLogger(SocketIoConnection.class);
    /** CONNECTs a connection sends before they count against its event rate: enough for a client's namespaces. */
    static final int FREE_CONNECTS = 8;
    /** Namespaces left by the server's doing that this connection remembers ({@link #leftByServer(String)}). */
    static final int MAX_LEFT_BY_SERVER = 8;
    private static final long REFUSALS_FORGOTTEN_AFTER_NANOS =
            io.realtime.gateway.limits.EventLimits.REFUSALS_FORGOTTEN_AFTER.toNanos();
    /**
     * What {@link ClientHead} wants as its registry of clients: only its transport methods use it, which this class
     * replaces, so every connection shares one that stays empty (one each cost 152 bytes).
     */
    private static final ClientsBox UNUSED_CLIENTS = new ClientsBox();

    private final EngineSession engine;
    /** What the application's AuthorizationListener gave every socket of this connection to keep (as netty-socketio). */
    private final Map<String, Object> storeParams;
    private final SocketIoEncoder encoder;
    private final SocketIoParser parser;
    private final GatewayJsonSupport json;
    private final ObjectMapper mapper;
    private final AckManager ackManager;
    private final Function<String, Namespace> namespaces;
    private final SocketsByNamespace<GatewaySocket> sockets = new SocketsByNamespace<>();
    /** Until the first namespace is joined; then dropped (a cancelled task kept here is 80 bytes). */
    private ScheduledFuture<?> connectTimeout;
    private final com.corundumstudio.socketio.store.StoreFactory storeFactory;
    private final TrafficObserver observer;
    private final io.realtime.gateway.limits.EventLimits eventLimits;
    private final int maxConnectChars;
    private final io.realtime.gateway.limits.TokenBucket eventBudget;
    /** Namespace CONNECTs this connection sent; those after {@link #FREE_CONNECTS} take from {@link #eventBudget}. */
    private int connects;
    private final SocketActivity activity;
    private final SocketOpener opener;
    /**
     * Namespaces whose CONNECT waits for a {@link DeferredAuth} or a recovery; touched on the event loop only. Null
     * while there is none, which is nearly always: an empty set that had one entry costs 144 bytes.
     */
    private Set<String> authenticating;
    /** Namespaces the server disconnected this connection from ({@link #leftByServer(String)}); on the loop, null if none. */
    private Set<String> leftByServer;
    /** Packets refused for the rate since the last quiet second ({@link #countRefusal()}). */
    private int refusals;
    /** When the last of {@link #refusals} was counted, by the event loop's clock. */
    private long lastRefusalAt;
    /** Set by {@link #disconnect()}, on the loop: the sockets end as the server's doing, whatever ends the connection. */
    private boolean disconnectedByServer;
    /** The socket being built on this connection's loop, while netty-socketio's constructor lists it (see GatewaySocket). */
    private volatile SocketUnderConstruction underConstruction;

    SocketIoConnection(EngineSession engine, HandshakeData handshake, Map<String, Object> storeParams,
                       SocketIoServerContext context, SocketOpener opener) {
        super(engine.id(), context.ackManager(), client -> { }, LazyMemoryStore.factoryFor(context.configuration().getStoreFactory()),
                handshake, UNUSED_CLIENTS, engine.transport(), context.scheduler(), context.configuration(), handshake.getUrlParams());
        UnusedClientState.release(this);
        this.engine = engine;
        this.storeParams = storeParams;
        this.encoder = context.encoder();
        this.json = context.json();
        this.mapper = json.mapper();
        this.parser = new SocketIoParser(json.trees(), context.maxAttachments(), context.maxPacketBytes());
        this.maxConnectChars = context.maxConnectChars();
        this.ackManager = context.ackManager();
        this.namespaces = context.namespaces();
        this.storeFactory = context.configuration().getStoreFactory();
        this.observer = context.observer();
        this.eventLimits = context.eventLimits();
        this.eventBudget = eventLimits.newBucket();
        this.activity = context.activity();
        this.opener = opener;
        this.connectTimeout = engine.eventLoop().schedule(() -> {
            if (sockets.isEmpty()) {
                log.debug("session {}: no namespace joined in time, closing", engine.id());
                engine.close();
            }
        }, context.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Called once the listener is attached; v3 clients are connected to the main namespace implicitly. */
    void start() {
        activity.opened(this);
        if (engine.version() == EngineIOVersion.V3) {
            connect(NamespaceNames.MAIN, null);
        }
    }

    public EngineSession engineSession() {
        return engine;
    }

    // ---- incoming ------------------------------------------------------------------------------------------

    @Override
    public void onMessage(EngineSession session, String text) {
        SocketIoPacket packet = parser.onText(text);
        if (packet != null) {
            dispatch(packet, text.length());
        }
    }

    @Override
    public void onBinary(EngineSession session, byte[] data) {
        SocketIoPacket packet = parser.onBinary(data);
        if (packet != null) {
            dispatch(packet, 0);
        }
    }

    /** {@code textLength}: the characters of the packet's text (a CONNECT is text only). */
    private void dispatch(SocketIoPacket packet, int textLength) {
        String namespace = packet.namespace();
        JsonNode auth = packet.data();
        if (engine.version() == EngineIOVersion.V3 && packet.type() == SocketIoPacket.CONNECT) {
            // v2 clients put the namespace's query string in the namespace itself: "/chat?token=abc".
            int query = namespace.indexOf('?');
            if (query >= 0) {
                auth = mapper.valueToTree(parseQuery(namespace.substring(query + 1)));
                namespace = namespace.substring(0, query);
            }
        }
        GatewaySocket socket = sockets.get(namespace);
        // A packet for a socket this connection does not have (any but a CONNECT, which makes one).
        boolean noSocketFor = socket == null && packet.type() != SocketIoPacket.CONNECT
                && packet.type() != SocketIoPacket.CONNECT_ERROR;
        if (packet.type() == SocketIoPacket.CONNECT && socket == null && !isAuthenticating(namespace)) {
            // A CONNECT costs what an event does and more (authentication, a socket, its session): past the first
            // few (a client joins each of its namespaces once), each takes from the events' budget.
            if (++connects > FREE_CONNECTS && eventBudget != null && !eventBudget.tryTake()) {
                refuseConnectForRate(namespace);
                return;
            }
            if (maxConnectChars > 0 && textLength > maxConnectChars) {
                refuseOversizedConnect(namespace);
                return;
            }
            forgetLeftByServer(namespace);
            connect(namespace, auth);
        } else if (noSocketFor && engine.version() == EngineIOVersion.V3) {
            // socket.io 2's Client ignores a packet for a namespace it has no socket for; its clients rely on that.
            log.debug("session {}: packet type {} for {}, where it has no socket, ignored (socket.io 2)", getSessionId(),
                    packet.type(), namespace);
        } else if (noSocketFor && wasLeftByServer(namespace)) {
            // Sent before the client heard the server's DISCONNECT: the socket is gone, the connection is not at fault.
            if (packet.isEvent()) {
                observer.eventRefused(namespace, EventRefusal.NAMESPACE_LEFT);
            }
            log.debug("session {}: packet type {} for {}, which the server disconnected, ignored", getSessionId(),
                    packet.type(), namespace);
        } else if (socket == null || packet.type() == SocketIoPacket.CONNECT || packet.type() == SocketIoPacket.CONNECT_ERROR) {
            // socket.io's Client closes the connection ("forced server close", which leaves sessions to recover).
            log.debug("session {}: invalid state: packet type {} for namespace {}; closing", getSessionId(),
                    packet.type(), ErrorReplies.quoted(namespace));
            engine.close(DisconnectReason.FORCED_SERVER_CLOSE);
        } else if (packet.type() == SocketIoPacket.DISCONNECT) {
            socket.end(DisconnectReason.CLIENT_NAMESPACE_DISCONNECT);
        } else if (packet.isEvent()) {
            onEvent(socket, packet);
        } else {
            onAck(socket, packet);
        }
    }

    private void connect(String namespaceName, JsonNode authPayload) {
        Namespace namespace = namespaces.apply(namespaceName);
        if (namespace == null) {
            sendConnectError(namespaceName, "Invalid namespace", null);
            return;
        }
        Object auth = authPayload == null ? Map.of() : mapper.convertValue(authPayload, Map.class);
        HandshakeData handshake = handshakeWithAuth(auth);
        // socket.io gives a v2 client's socket its connection's id, which the client takes as its own.
        UUID socketId = engine.version() == EngineIOVersion.V3 ? getSessionId() : SocketIds.newId();
        PendingSocket pending = new PendingSocket(this, namespace, handshake, socketId);
        storeParams.forEach(pending::set);
        AuthTokenResult result = namespace.onAuthData(pending, auth);
        if (result instanceof DeferredAuth deferred) {
            startAuthenticating(namespaceName);
            deferred.outcome().whenComplete((outcome, failure) -> engine.eventLoop().execute(() -> {
                endAuthenticating(namespaceName);
                if (!engine.isOpen()) {
                    pending.abandon();
                    return;
                }
                AuthTokenResult known = failure != null || outcome == null || outcome instanceof DeferredAuth
                        ? new AuthTokenResult(false, null) : outcome;
                if (failure != null) {
                    log.debug("session {}: authentication for {} failed", getSessionId(), namespaceName, failure);
                }
                admit(namespace, namespaceName, pending, known);
            }));
            return;
        }
        admit(namespace, namespaceName, pending, result);
    }

    private void admit(Namespace namespace, String namespaceName, PendingSocket pending, AuthTokenResult result) {
        HandshakeData handshake = pending.getHandshakeData();
        if (!result.isSuccess()) {
            observer.refused(RefusalReason.AUTH);
            ConnectRefusal refusal = ConnectRefusal.from(result.getErrorData());
            sendConnectError(namespaceName, refusal.message(), refusal.data());
            pending.abandon();
            return;
        }
        cancelConnectTimeout();
        // Until the socket exists (a restore may wait on Redis), a second CONNECT to the namespace is refused.
        startAuthenticating(namespaceName);
        opener.recover(this, namespace, namespaceName, pending, sockets::put).whenComplete((recovered, failure) -> onLoop(() -> {
            endAuthenticating(namespaceName);
            Optional<SocketOpener.Opened> found = failure == null ? recovered : Optional.empty();
            if (failure != null) {
                log.warn("session {}: recovery for {} failed", getSessionId(), namespaceName, failure);
            }
            if (!engine.isOpen()) {
                // Gone while its session was being restored: the socket ends as its connection did, and keeps it.
                found.ifPresent(opened -> opened.socket().end(DisconnectReason.TRANSPORT_CLOSE));
                pending.abandon();
                return;
            }
            answer(namespace, namespaceName, pending,
                    found.orElseGet(() -> opener.openNew(this, namespace, namespaceName, pending, sockets::put)));
        })).exceptionally(error -> {
            // Nothing else would see it: a failure inside the completion is kept by the future.
            log.error("session {}: the CONNECT to {} could not be answered", getSessionId(), namespaceName, error);
            pending.abandon();
            return null;
        });
    }

    /**
     * A namespace whose socket the server ended while this connection stays: the client may have sent packets there
     * before it heard of it, which are then ignored. Kept until the client CONNECTs there again, at most
     * {@link #MAX_LEFT_BY_SERVER} of them (the oldest go first).
     */
    private void leftByServer(String namespaceName) {
        if (leftByServer == null) {
            leftByServer = new java.util.LinkedHashSet<>(2);
        }
        leftByServer.remove(namespaceName);
        if (leftByServer.size() >= MAX_LEFT_BY_SERVER) {
            java.util.Iterator<String> oldest = leftByServer.iterator();
            oldest.next();
            oldest.remove();
        }
        leftByServer.add(namespaceName);
    }

    private boolean wasLeftByServer(String namespaceName) {
        return leftByServer != null && leftByServer.contains(namespaceName);
    }

    private void forgetLeftByServer(String namespaceName) {
        if (leftByServer != null && leftByServer.remove(namespaceName) && leftByServer.isEmpty()) {
            leftByServer = null;
        }
    }

    private boolean isAuthenticating(String namespaceName) {
        return authenticating != null && authenticating.contains(namespaceName);
    }

    private void startAuthenticating(String namespaceName) {
        if (authenticating == null) {
            authenticating = new java.util.HashSet<>(2);
        }
        authenticating.add(namespaceName);
    }

    private void endAuthenticating(String namespaceName) {
        if (authenticating != null && authenticating.remove(namespaceName) && authenticating.isEmpty()) {
            authenticating = null;
        }
    }

    private void cancelConnectTimeout() {
        ScheduledFuture<?> timeout = connectTimeout;
        if (timeout != null) {
            timeout.cancel(false);
            connectTimeout = null;
        }
    }

    private void onLoop(Runnable task) {
        if (engine.eventLoop().inEventLoop()) {
            task.run();
        } else {
            engine.eventLoop().execute(task);
        }
    }

    private void answer(Namespace namespace, String namespaceName, PendingSocket pending, SocketOpener.Opened opened) {
        GatewaySocket socket = opened.socket();
        Packet connected = new Packet(PacketType.MESSAGE, engine.version());
        connected.setSubType(PacketType.CONNECT);
        connected.setNsp(namespaceName);
        if (engine.version() == EngineIOVersion.V4) {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("sid", SocketIds.wire(socket.getSessionId()));
            if (socket.pid() != null) {
                data.put("pid", socket.pid());
            }
            connected.setData(data);
        }
        // socket.io sends what was missed ahead of the CONNECT answer; its client holds those events and fires them
        // before "connect", so a listener for "connect" already sees the recovered state.
        replay(namespaceName, opened.missed());
        send(connected);
        observer.connected(namespaceName);
        // What the authentication listener asked of the client: its rooms before the connect listeners run.
        pending.applyTo(socket);
        log.debug("socket {} connected to {}{}", socket.getSessionId(), namespaceName, opened.recovered() ? " (recovered)" : "");
        socket.announceConnected();
        namespace.onConnect(socket);
    }

    /** What a recovered socket missed, sent just before its CONNECT answer and anything live (same loop task). */
    private void replay(String namespaceName, List<ClusterPacket> missed) {
        for (ClusterPacket packet : missed) {
            Packet event = new Packet(PacketType.MESSAGE, engine.version());
            event.setSubType(PacketType.EVENT);
            event.setNsp(namespaceName);
            event.setName(packet.event());
            event.setData(packet.args());
            // Counted as sent, but not reported to the Admin UI as an event the application sends now: socket.io's
            // replay bypasses the emit its Admin UI listens to.
            observer.eventsSent(NamespaceNames.wire(namespaceName), packet.event(), 1);
            if (engine.isOpen()) {
                engine.send(encodeOrExplain(event));
            }
        }
    }

    private void sendConnectError(String namespaceName, String message, Object data) {
        Packet error = new Packet(PacketType.MESSAGE, engine.version());
        error.setSubType(PacketType.ERROR);
        error.setNsp(namespaceName);
        if (engine.version() == EngineIOVersion.V4) {
            Map<String, Object> payload = new LinkedHashMap<>();
            payload.put("message", message);
            if (data != null) {
                payload.put("data", data);
            }
            error.setData(payload);
        } else {
            error.setData(data != null ? data : message);
        }
        send(error);
    }

    private void onEvent(GatewaySocket socket, SocketIoPacket packet) {
        JsonNode data = packet.data();
        String event = data.get(0).asText();
        observer.eventReceived(packet.namespace(), event);
        if (eventBudget != null && !eventBudget.tryTake()) {
            refuseForRate(socket, packet, event);
            return;
        }
        Packet request = new Packet(PacketType.MESSAGE, engine.version());
        request.setSubType(PacketType.EVENT);
        request.setNsp(socket.getNamespace().getName());
        request.setName(event);
        request.setAckId(packet.ackId());
        AckRequest ack = new AckRequest(request, socket);
        List<Object> args;
        try {
            args = convertArgs(data, 1, json.eventTypes(socket.getNamespace().getName(), event));
        } catch (IllegalArgumentException e) {
            observer.validationFailed(packet.namespace(), event);
            ErrorReplies.reply(socket, ack, "bad_request", "invalid arguments for event " + ErrorReplies.quoted(event) + wrongField(e));
            return;
        }
        activity.eventReceived(socket, event, args);
        long started = System.nanoTime();
        ((Namespace) socket.getNamespace()).onEvent(socket, event, args, ack);
        observer.handled(packet.namespace(), event, System.nanoTime() - started);
    }

    private void onAck(GatewaySocket socket, SocketIoPacket packet) {
        AckCallback<?> callback = packet.ackId() == null ? null : ackManager.getCallback(getSessionId(), packet.ackId());
        if (callback == null) {
            // Acks the node asked for are bounded by the node; the others are the client's own traffic, and an endless
            // stream of them must not be free: they take from the event rate like events.
            log.debug("session {}: ack {} matches no request", getSessionId(), packet.ackId());
            if (eventBudget != null && !eventBudget.tryTake()) {
                observer.eventRefused(packet.namespace(), EventRefusal.RATE_LIMITED);
                countRefusal();
            }
            return;
        }
        List<Class<?>> types = callback instanceof MultiTypeAckCallback multi
                ? Arrays.asList(multi.getResultClasses())
                : List.of(callback.getResultClass());
        Packet ack = new Packet(PacketType.MESSAGE, engine.version());
        ack.setSubType(PacketType.ACK);
        ack.setAckId(packet.ackId());
        try {
            ack.setData(convertArgs(packet.data(), 0, types));
        } catch (IllegalArgumentException e) {
            log.debug("session {}: ack {} has arguments of the wrong type", getSessionId(), packet.ackId());
            ack.setData(List.of());
        }
        // Acks are keyed by the connection (see GatewaySocket): answer them as the connection.
        try {
            ackManager.onAck(new PendingSocket(this, socket.getNamespace(), socket.getHandshakeData(), getSessionId()), ack);
        } catch (RuntimeException e) {
            // The application's callback failed: its bug, logged as netty-socketio logs it; the connection goes on.
            log.error("session {}: the callback of ack {} failed", getSessionId(), packet.ackId(), e);
        }
    }

    /**
     * Gives up ack {@code index}, asked by {@code socket}, which ended while this connection goes on (see
     * {@link AbandonableAck}), and takes it out of netty-socketio's acks of this connection, where it would otherwise
     * stay until the connection ends: a connection that keeps joining and leaving namespaces would grow them for
     * good. netty-socketio takes out one ack only as it is answered, so it is answered here, with nothing; abandoned
     * first, the callback ignores that answer. Only an {@link AbandonableAck} is taken out: another callback would
     * hear the empty answer as the client's.
     */
    void abandonAck(GatewaySocket socket, long index) {
        if (ackManager.getCallback(getSessionId(), index) instanceof AbandonableAck pending) {
            pending.abandon();
            Packet settled = new Packet(PacketType.MESSAGE, engine.version());
            settled.setSubType(PacketType.ACK);
            settled.setAckId(index);
            settled.setData(List.of());
            ackManager.onAck(new PendingSocket(this, socket.getNamespace(), socket.getHandshakeData(), getSessionId()), settled);
        }
    }

    /** Arguments in the declared types; binary arrives as {@code byte[]}, undeclared arguments as plain Java values. */
    private List<Object> convertArgs(JsonNode array, int from, List<Class<?>> types) {
        List<Object> args = new ArrayList<>(Math.max(0, array.size() - from));
        for (int i = from; i < array.size(); i++) {
            int index = i - from;
            Class<?> type = index < types.size() ? types.get(index) : Object.class;
            JsonNode node = array.get(i);
            args.add(node.isNull() ? null : convert(node, type));
        }
        return args;
    }

    /**
     * One argument in its declared type. A tree wanted as a tree, or a string as a string, is taken as it is: Jackson
     * converts through a token buffer even then (each packet's tree is its own, so nobody else sees it).
     */
    private Object convert(JsonNode node, Class<?> type) {
        if (JsonNode.class.isAssignableFrom(type) && type.isInstance(node)) {
            return node;
        }
        if (type == String.class && node.isTextual()) {
            return node.textValue();
        }
        return mapper.convertValue(node, type);
    }

    /** Over its event rate: refused with an error; a client that keeps going is disconnected. */
    private void refuseForRate(GatewaySocket socket, SocketIoPacket packet, String event) {
        observer.eventRefused(packet.namespace(), EventRefusal.RATE_LIMITED);
        Packet request = new Packet(PacketType.MESSAGE, engine.version());
        request.setSubType(PacketType.EVENT);
        request.setAckId(packet.ackId());
        ErrorReplies.reply(socket, new AckRequest(request, socket), "rate_limited",
                "too many events (limit " + eventLimits.ratePerSecond() + "/s): " + ErrorReplies.quoted(event) + " was not handled");
        countRefusal();
    }

    /**
     * A CONNECT whose auth payload is larger than a header block: its socket would keep it for life (and answer it in
     * every fetchSockets), so it is refused as authentication would refuse it.
     */
    private void refuseOversizedConnect(String namespaceName) {
        observer.refused(RefusalReason.AUTH_TOO_LARGE);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("code", "auth_too_large");
        data.put("reason", "the CONNECT packet and its auth payload may hold at most " + maxConnectChars + " characters");
        sendConnectError(namespaceName, "Authentication payload too large", data);
    }

    private void refuseConnectForRate(String namespaceName) {
        observer.eventRefused(namespaceName, EventRefusal.RATE_LIMITED);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("code", "rate_limited");
        data.put("reason", "too many packets (limit " + eventLimits.ratePerSecond() + "/s): connect again later");
        sendConnectError(namespaceName, "Too many requests", data);
        countRefusal();
    }

    /**
     * Closes the connection as abusive once {@code disconnectAfter} packets were refused for the rate with less than
     * {@link io.realtime.gateway.limits.EventLimits#REFUSALS_FORGOTTEN_AFTER} between one and the next. Packets let
     * through meanwhile do not reset the count: the bucket refills, so a client flooding at a few times its rate still
     * gets one through now and then; a client that went over its burst and stopped gets a quiet second. Its
     * sockets end as the server's doing ("server namespace disconnect"), which leaves no session to recover: "forced
     * close" would let a client closed for flooding come back with its pid as if nothing happened. Whatever ends the
     * connection first (a polling client without a waiting poll ends it itself: a dropped poll, its own close), its
     * sockets end so ({@link #disconnectedByServer}).
     */
    private void countRefusal() {
        if (eventLimits.disconnectAfter() <= 0) {
            return;
        }
        long now = engine.eventLoop().ticker().nanoTime();
        if (now - lastRefusalAt >= REFUSALS_FORGOTTEN_AFTER_NANOS) {
            refusals = 0;
        }
        lastRefusalAt = now;
        if (++refusals >= eventLimits.disconnectAfter()) {
            log.debug("session {}: {} events refused without a quiet second between, closing", getSessionId(), refusals);
            observer.closedForBehaviour(BehaviourClose.ABUSE);
            disconnectedByServer = true;
            engine.close();
        }
    }

    /** Where in the payload a conversion failed, as {@code ": payload.room has the wrong type"}. */
    private static String wrongField(IllegalArgumentException e) {
        if (!(e.getCause() instanceof com.fasterxml.jackson.databind.JsonMappingException mapping)) {
            return "";
        }
        StringBuilder path = new StringBuilder("payload");
        for (com.fasterxml.jackson.databind.JsonMappingException.Reference reference : mapping.getPath()) {
            path.append(reference.getFieldName() != null ? "." + reference.getFieldName() : "[" + reference.getIndex() + "]");
        }
        return ": " + path + " has the wrong type";
    }

    @Override
    public void onClose(EngineSession session, DisconnectReason reason) {
        cancelConnectTimeout();
        DisconnectReason socketsReason = disconnectedByServer ? DisconnectReason.SERVER_NAMESPACE_DISCONNECT : reason;
        for (GatewaySocket socket : sockets.values()) {
            socket.end(socketsReason);
        }
        activity.closed(this, reason);
        ackManager.onDisconnect(this);
        storeFactory.onDisconnect(this);
    }

    /** netty-socketio's ping and pong listeners, on the main namespace's socket (as its PacketListener calls them). */
    @Override
    public void onHeartbeat(EngineSession session, boolean pong) {
        GatewaySocket main = sockets.get("/");
        if (main != null) {
            Namespace namespace = (Namespace) main.getNamespace();
            if (pong) {
                namespace.onPong(main);
            } else {
                namespace.onPing(main);
            }
        }
    }

    @Override
    public void onUpgrade(EngineSession session) {
        activity.upgraded(this, "websocket");
    }

    // ---- outgoing ------------------------------------------------------------------------------------------

    @Override
    public io.netty.channel.ChannelFuture send(Packet packet) {
        if (packet.getSubType() == PacketType.EVENT) {
            String nsp = NamespaceNames.wire(packet.getNsp());
            observer.eventsSent(nsp, packet.getName(), 1);
            if (activity.followsEvents()) {
                GatewaySocket target = sockets.get(nsp);
                if (target != null) {
                    activity.eventSent(target, packet.getName(), packet.getData() instanceof List<?> args ? args : List.of());
                }
            }
        }
        if (engine.isOpen()) {
            engine.send(encodeOrExplain(packet));
        }
        return null;
    }

    /**
     * A value that cannot be written as JSON (a cycle, a failing getter) must not escape into Netty or the handler:
     * an ack becomes an error ack, an event is dropped; either way it is logged once, here.
     */
    private List<io.realtime.gateway.engineio.EnginePacket> encodeOrExplain(Packet packet) {
        try {
            return encoder.encode(packet);
        } catch (IllegalArgumentException e) {
            log.error("session {}: packet '{}' cannot be encoded: {}", getSessionId(),
                    packet.getName() != null ? packet.getName() : packet.getSubType(), e.getMessage());
            if (packet.getSubType() == PacketType.ERROR) {
                // A refused CONNECT whose data cannot be written (an auth listener's): the client still learns it
                // was refused, with the message alone, rather than wait for its own timeout.
                String message = packet.getData() instanceof Map<?, ?> payload && payload.get("message") instanceof String text
                        ? text : "Connection refused";
                Packet refusal = new Packet(PacketType.MESSAGE, engine.version());
                refusal.setSubType(PacketType.ERROR);
                refusal.setNsp(packet.getNsp());
                refusal.setData(engine.version() == EngineIOVersion.V4 ? Map.of("message", message) : message);
                return encoder.encode(refusal);
            }
            if (packet.getSubType() != PacketType.ACK) {
                return List.of();
            }
            Packet error = new Packet(PacketType.MESSAGE, engine.version());
            error.setSubType(PacketType.ACK);
            error.setNsp(packet.getNsp());
            error.setAckId(packet.getAckId());
            error.setData(List.of(Map.of("error", Map.of("code", "internal_error", "message", "the answer could not be encoded"))));
            return encoder.encode(error);
        }
    }

    @Override
    public io.netty.channel.ChannelFuture send(Packet packet, Transport transport) {
        return send(packet);
    }

    /**
     * Ends every namespace socket with a DISCONNECT packet, then closes the connection, as socket.io's
     * {@code socket.disconnect(true)}: the sockets end as "server namespace disconnect", which leaves no session to
     * recover. On the connection's loop. With recovery on, a socket's DISCONNECT waits behind the writes with offsets
     * already handed to that loop (of any of its connections), so the close waits behind it in the same order, else
     * the DISCONNECTs would be dropped and the sockets ended by the close as "forced close", which socket.io recovers
     * from. Whatever ends the connection in the meantime (the client's close, its transport dropping) ends its
     * sockets as the server's doing too.
     */
    @Override
    public void disconnect() {
        onLoop(() -> {
            disconnectedByServer = true;
            for (GatewaySocket socket : sockets.values()) {
                socket.disconnect();
            }
            io.realtime.gateway.engineio.OffsetOrder.run(engine.eventLoop(), engine::close);
        });
    }

    @Override
    public void onChannelDisconnect() {
        engine.close();
    }

    // ---- netty-socketio's view of the client ---------------------------------------------------------------

    @Override
    public NamespaceClient addNamespaceClient(Namespace namespace) {
        GatewaySocket socket = GatewaySocket.create(this, namespace, handshakeWithAuth(Map.of()), SocketIds.newId(), null, null);
        sockets.put(NamespaceNames.wire(namespace), socket);
        return socket;
    }

    @Override
    public NamespaceClient getChildClient(Namespace namespace) {
        return sockets.get(NamespaceNames.wire(namespace));
    }

    @Override
    public void removeNamespaceClient(NamespaceClient client) {
        if (client instanceof GatewaySocket socket) {
            sockets.remove(NamespaceNames.wire(client.getNamespace()), socket);
        }
    }

    @Override
    public Set<Namespace> getNamespaces() {
        Set<Namespace> result = new java.util.HashSet<>();
        sockets.values().forEach(socket -> result.add((Namespace) socket.getNamespace()));
        return result;
    }

    /** Called by a socket of this connection when it ends. */
    void socketEnded(GatewaySocket socket, DisconnectReason reason) {
        String name = NamespaceNames.wire(socket.getNamespace());
        observer.disconnected(name, reason);
        log.debug("socket {} left {}: {}", socket.getSessionId(), name, reason);
        if (reason != DisconnectReason.CLIENT_NAMESPACE_DISCONNECT && engine.isOpen()) {
            // The server's doing (a disconnect, an expired token) while the connection stays.
            onLoop(() -> leftByServer(name));
        }
    }

    /** A socket's namespace and id, known to other threads before the socket's own fields are assigned. */
    record SocketUnderConstruction(Namespace namespace, UUID id) {
    }

    SocketUnderConstruction underConstruction() {
        return underConstruction;
    }

    void underConstruction(SocketUnderConstruction socket) {
        underConstruction = socket;
    }

    TrafficObserver observer() {
        return observer;
    }

    SocketActivity activity() {
        return activity;
    }

    /** The sockets of this connection, by namespace name ({@code /} for the main namespace). */
    public Map<String, GatewaySocket> sockets() {
        return sockets.snapshot();
    }

    @Override
    public boolean isConnected() {
        return engine.isOpen();
    }

    @Override
    public boolean isChannelOpen() {
        return engine.isOpen();
    }

    @Override
    public boolean isWritable() {
        return engine.isOpen() && engine.isWritable();
    }

    @Override
    public Transport getCurrentTransport() {
        return engine.transport();
    }

    @Override
    public boolean isTransportChannel(Channel channel, Transport transport) {
        return false;
    }

    @Override
    public Queue<Packet> getPacketsQueue(Transport transport) {
        return new ArrayDeque<>();
    }

    // Transports, heartbeats and upgrades belong to the Engine.IO session.
    @Override
    public void bindChannel(Channel channel, Transport transport) {
    }

    @Override
    public void releasePollingChannel(Channel channel) {
    }

    @Override
    public void upgradeCurrentTransport(Transport currentTransport) {
    }

    @Override
    public void cancelPing() {
    }

    @Override
    public void cancelPingTimeout() {
    }

    @Override
    public void schedulePing() {
    }

    @Override
    public void schedulePingTimeout() {
    }

    private HandshakeData handshakeWithAuth(Object auth) {
        HandshakeData base = getHandshakeData();
        if (base instanceof io.realtime.gateway.engineio.KeptHandshake kept) {
            return kept.withAuth(auth);
        }
        HandshakeData copy = new HandshakeData(base.getHttpHeaders(), base.getUrlParams(), base.getAddress(),
                base.getLocal(), base.getUrl(), base.isXdomain());
        copy.setAuthToken(auth);
        return copy;
    }

    private static Map<String, String> parseQuery(String query) {
        Map<String, String> values = new LinkedHashMap<>();
        new io.netty.handler.codec.http.QueryStringDecoder(query, false).parameters()
                .forEach((key, list) -> values.put(key, list.isEmpty() ? "" : list.get(0)));
        return values;
    }
}
