package io.realtime.gateway.engineio;

import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.protocol.EngineIOVersion;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.util.concurrent.ScheduledFuture;
import io.realtime.gateway.stats.TrafficObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One Engine.IO connection: its transports (long-polling, WebSocket, the upgrade between them), its outgoing
 * queue and its heartbeat.
 *
 * <p>All state is confined to one Netty event loop, the one that accepted the handshake. Requests of the same
 * session can arrive on other connections (each long-poll may use a new TCP connection, on another loop); every
 * entry point therefore hops onto the session's loop, so there are no locks and nothing here ever blocks.
 */
public final class EngineSession {

    /** What the layer above (Socket.IO) hears from a session; always called on the session's event loop. */
    public interface Listener {
        void onMessage(EngineSession session, String text);

        void onBinary(EngineSession session, byte[] data);

        void onClose(EngineSession session, String reason);

        /** The session now runs over WebSocket (after a polling start). */
        default void onUpgrade(EngineSession session) {
        }
    }

    private static final Logger log = LoggerFactory.getLogger(EngineSession.class);
    private static final Listener NO_LISTENER = new Listener() {
        public void onMessage(EngineSession s, String text) { }

        public void onBinary(EngineSession s, byte[] data) { }

        public void onClose(EngineSession s, String reason) { }
    };

    private enum State { OPEN, CLOSING, CLOSED }

    private static final long SLOW_CONSUMER_GRACE_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final UUID id;
    private final EngineIOVersion version;
    private final EventLoop loop;
    private final EngineOptions options;
    private final boolean base64Only;
    private final Consumer<EngineSession> onClosed;
    private final TrafficObserver observer;
    private final ArrayDeque<EnginePacket> outbox = new ArrayDeque<>();
    private long outboxBytes;
    /** When the bytes waiting for this client first exceeded the limit (0: they do not). */
    private long overLimitSince;

    private Listener listener = NO_LISTENER;
    private State state = State.OPEN;
    private volatile Transport transport;
    private Channel webSocket;
    private Channel probe;
    private boolean probeAnswered;
    private HttpExchange pendingPoll;
    private volatile boolean pollPending;
    private ChannelFutureListener pendingPollWatcher;
    private ScheduledFuture<?> pingTask;
    private ScheduledFuture<?> heartbeatTimeout;
    private ScheduledFuture<?> upgradeTimeout;
    private ScheduledFuture<?> closeTimeout;

    EngineSession(UUID id, EngineIOVersion version, Transport transport, EventLoop loop, EngineOptions options,
                  boolean base64Only, TrafficObserver observer, Consumer<EngineSession> onClosed) {
        this.id = id;
        this.version = version;
        this.transport = transport;
        this.loop = loop;
        this.options = options;
        this.base64Only = base64Only;
        this.onClosed = onClosed;
        this.observer = observer;
        outbox.add(EnginePacket.of(EnginePacket.Type.OPEN, openPayload(transport)));
    }

    private String openPayload(Transport initial) {
        String upgrades = initial == Transport.POLLING && options.allows(EngineOptions.WEBSOCKET) ? "[\"websocket\"]" : "[]";
        return "{\"sid\":\"" + id + "\",\"upgrades\":" + upgrades
                + ",\"pingInterval\":" + options.pingInterval().toMillis()
                + ",\"pingTimeout\":" + options.pingTimeout().toMillis()
                + ",\"maxPayload\":" + options.maxPayload() + "}";
    }

    public UUID id() {
        return id;
    }

    public EngineIOVersion version() {
        return version;
    }

    public EventLoop eventLoop() {
        return loop;
    }

    /** The transport in use now; readable from any thread. */
    public Transport transport() {
        return transport;
    }

    /** Whether a long-poll request is waiting for data; readable from any thread. */
    public boolean hasPendingPoll() {
        return pollPending;
    }

    public boolean isOpen() {
        return state != State.CLOSED;
    }

    TrafficObserver observer() {
        return observer;
    }

    /** Whether the current transport can take more data without queueing much in memory. */
    public boolean isWritable() {
        Channel ws = webSocket;
        if (ws != null) {
            return ws.isWritable();
        }
        return options.outboundLimit() == 0 || outboxBytes < options.outboundLimit() / 16;
    }

    /** Sets the layer above; called once, right after the handshake, on the session's loop. */
    public void setListener(Listener listener) {
        this.listener = listener;
    }

    void start() {
        if (version == EngineIOVersion.V4) {
            schedulePing();
        } else {
            resetHeartbeatTimeout(options.pingInterval().toMillis() + options.pingTimeout().toMillis());
        }
    }

    // ---- sending -------------------------------------------------------------------------------------------

    public void send(EnginePacket packet) {
        send(List.of(packet));
    }

    public void send(List<EnginePacket> packets) {
        inLoop(() -> {
            if (state == State.OPEN) {
                packets.forEach(this::enqueue);
                flush();
            }
        });
    }

    /**
     * The same packets as many other sessions of this loop ({@link SessionFanOut}): on an idle WebSocket they are
     * written as the shared frames and {@code true} says that {@link #flushWrites()} must follow; otherwise they go
     * through the outbox like any other send.
     */
    boolean writeShared(WebSocketFrames.Shared frames) {
        if (state != State.OPEN) {
            return false;
        }
        List<EnginePacket> packets = frames.packets();
        if (transport == Transport.WEBSOCKET && webSocket != null && outbox.isEmpty()) {
            for (int i = 0; i < packets.size(); i++) {
                writeFrame(frames.frame(i, version, webSocket.alloc()));
            }
            return true;
        }
        packets.forEach(this::enqueue);
        flush();
        return false;
    }

    /** Sends what {@link #writeShared} wrote (a session closed since then has gone with its channel). */
    void flushWrites() {
        if (webSocket != null && state != State.CLOSED) {
            flushWebSocket();
        }
    }

    private void enqueue(EnginePacket packet) {
        outbox.add(packet);
        outboxBytes += packet.isBinary() ? packet.binary().length : packet.text().length() + 1;
    }

    /** Closes the session from the server side, after what is already queued has been delivered. */
    public void close() {
        inLoop(() -> {
            if (state != State.OPEN) {
                return;
            }
            if (transport == Transport.WEBSOCKET && webSocket != null) {
                flush();
                closeNow("forced close", null);
            } else if (pendingPoll != null) {
                enqueue(EnginePacket.CLOSE);
                flush();
                closeNow("forced close", null);
            } else {
                // The client polls again shortly; it must still get what is queued, followed by the close packet.
                state = State.CLOSING;
                enqueue(EnginePacket.CLOSE);
                closeTimeout = loop.schedule(() -> closeNow("forced close", null),
                        options.pingTimeout().toMillis(), TimeUnit.MILLISECONDS);
            }
        });
    }

    private void flush() {
        if (outbox.isEmpty()) {
            return;
        }
        if (transport == Transport.WEBSOCKET && webSocket != null) {
            for (EnginePacket packet : outbox) {
                writeFrame(WebSocketFrames.encode(packet, version, webSocket.alloc()));
            }
            clearOutbox();
            flushWebSocket();
        } else if (transport == Transport.POLLING && pendingPoll != null) {
            answerPoll(drainOutbox());
        } else {
            checkBacklog(outboxBytes);
        }
    }

    /**
     * A burst to a healthy client can leave more than the limit waiting for a moment; a client whose backlog stays
     * over the limit for {@link #SLOW_CONSUMER_GRACE_NANOS} does not read, and is dropped.
     */
    private void checkBacklog(long waitingBytes) {
        if (!isOverLimit(waitingBytes)) {
            overLimitSince = 0;
        } else if (overLimitSince == 0) {
            overLimitSince = System.nanoTime();
        } else if (System.nanoTime() - overLimitSince > SLOW_CONSUMER_GRACE_NANOS) {
            dropSlowConsumer();
        }
    }

    private boolean isOverLimit(long bytes) {
        return options.outboundLimit() > 0 && bytes > options.outboundLimit();
    }

    private static long pendingBytes(Channel channel) {
        io.netty.channel.ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
        return buffer == null ? 0 : buffer.totalPendingWriteBytes();
    }

    /** A client that does not read: its queue is dropped with its connection, so nobody else waits for it. */
    private void dropSlowConsumer() {
        log.debug("session {}: more than {} bytes waiting, closing a slow consumer", id, options.outboundLimit());
        observer.closedForBehaviour("slow_consumer");
        Channel channel = webSocket;
        closeNow("transport error", null);
        if (channel != null) {
            channel.close();
        }
    }

    private void clearOutbox() {
        outbox.clear();
        outboxBytes = 0;
    }

    private List<EnginePacket> drainOutbox() {
        List<EnginePacket> packets = new ArrayList<>(outbox);
        clearOutbox();
        return packets;
    }

    private void holdPoll(HttpExchange exchange) {
        pendingPoll = exchange;
        pollPending = true;
        Channel channel = exchange.channel();
        pendingPollWatcher = closed -> onChannelClosed(channel);
        channel.closeFuture().addListener(pendingPollWatcher);
    }

    private HttpExchange releasePoll() {
        HttpExchange poll = pendingPoll;
        pendingPoll = null;
        pollPending = false;
        poll.channel().closeFuture().removeListener(pendingPollWatcher);
        pendingPollWatcher = null;
        return poll;
    }

    private void answerPoll(List<EnginePacket> packets) {
        HttpExchange poll = releasePoll();
        PollingPayload.Body body = PollingPayload.encode(packets, version, base64Only);
        observer.bytesSent(body.bytes().length);
        poll.respond(HttpResponseStatus.OK, body.contentType(), body.bytes());
        if (state == State.CLOSING && packets.contains(EnginePacket.CLOSE)) {
            closeNow("forced close", null);
        }
    }

    /** A complete frame, past Netty's frame encoder (which passes bytes through); the void promise spares an object per write. */
    private void writeFrame(io.netty.buffer.ByteBuf frame) {
        observer.bytesSent(frame.readableBytes());
        webSocket.write(frame, webSocket.voidPromise());
    }

    private void flushWebSocket() {
        webSocket.flush();
        checkBacklog(pendingBytes(webSocket));
    }

    // ---- long-polling --------------------------------------------------------------------------------------

    void onPoll(HttpExchange exchange) {
        inLoop(() -> {
            if (state == State.CLOSED) {
                exchange.respondError(EngineIoError.UNKNOWN_SID);
            } else if (transport != Transport.POLLING) {
                exchange.respondError(EngineIoError.BAD_REQUEST);
            } else if (pendingPoll != null) {
                log.debug("session {}: overlapping polls", id);
                exchange.respondError(EngineIoError.BAD_REQUEST);
                closeNow("transport error", EnginePacket.CLOSE);
            } else {
                holdPoll(exchange);
                if (probeAnswered && outbox.isEmpty()) {
                    // The client is pausing polling to upgrade: release the poll at once.
                    answerPoll(List.of(EnginePacket.NOOP));
                } else {
                    flush();
                }
            }
        });
    }

    void onPost(HttpExchange exchange, List<EnginePacket> packets) {
        inLoop(() -> {
            if (state == State.CLOSED) {
                exchange.respondError(EngineIoError.UNKNOWN_SID);
                return;
            }
            if (transport != Transport.POLLING) {
                exchange.respondError(EngineIoError.BAD_REQUEST);
                return;
            }
            for (EnginePacket packet : packets) {
                if (state == State.CLOSED) {
                    break;
                }
                onPacket(packet);
            }
            exchange.respondText(HttpResponseStatus.OK, "text/html", "ok");
        });
    }

    /** A request body that could not be decoded: the session ends as Node's engine.io ends it. */
    void onBadPayload(HttpExchange exchange, String problem) {
        inLoop(() -> {
            log.debug("session {}: bad polling payload: {}", id, problem);
            exchange.respondError(EngineIoError.BAD_REQUEST);
            closeNow("parse error", EnginePacket.CLOSE);
        });
    }

    void onPayloadTooLarge() {
        inLoop(() -> closeNow("transport error", EnginePacket.CLOSE));
    }

    // ---- WebSocket -----------------------------------------------------------------------------------------

    /** A session whose first transport is a WebSocket. */
    void attachWebSocket(Channel channel) {
        inLoop(() -> {
            webSocket = channel;
            transport = Transport.WEBSOCKET;
            flush();
        });
    }

    /** A WebSocket opened by a polling client that wants to upgrade; it becomes the transport after the probe. */
    void attachProbe(Channel channel) {
        inLoop(() -> {
            if (state != State.OPEN || transport != Transport.POLLING || probe != null) {
                channel.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.PROTOCOL_ERROR))
                        .addListener(ChannelFutureListener.CLOSE);
                return;
            }
            probe = channel;
            upgradeTimeout = loop.schedule(() -> {
                if (probe == channel) {
                    log.debug("session {}: upgrade timed out", id);
                    abandonProbe();
                }
            }, options.upgradeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        });
    }

    void onWebSocketText(Channel channel, String text) {
        inLoop(() -> {
            EnginePacket packet;
            try {
                packet = EnginePacket.decodeText(text);
            } catch (EngineProtocolException e) {
                onProtocolError(channel, e);
                return;
            }
            if (channel == probe) {
                onProbePacket(packet);
            } else if (channel == webSocket) {
                onPacket(packet);
            }
        });
    }

    void onWebSocketBinary(Channel channel, byte[] data) {
        inLoop(() -> {
            if (channel != webSocket) {
                return;
            }
            if (version == EngineIOVersion.V4) {
                onPacket(EnginePacket.binaryMessage(data));
            } else if (data.length > 0 && data[0] == 4) {
                onPacket(EnginePacket.binaryMessage(java.util.Arrays.copyOfRange(data, 1, data.length)));
            } else {
                onProtocolError(channel, new EngineProtocolException("binary frame without message type"));
            }
        });
    }

    private void onProbePacket(EnginePacket packet) {
        if (packet.type() == EnginePacket.Type.PING && "probe".equals(packet.text())) {
            probe.writeAndFlush(new TextWebSocketFrame(EnginePacket.of(EnginePacket.Type.PONG, "probe").encodeText()));
            probeAnswered = true;
            if (pendingPoll != null) {
                answerPoll(outbox.isEmpty() ? List.of(EnginePacket.NOOP) : drainOutbox());
            }
        } else if (packet.type() == EnginePacket.Type.UPGRADE && probeAnswered) {
            cancel(upgradeTimeout);
            webSocket = probe;
            probe = null;
            probeAnswered = false;
            transport = Transport.WEBSOCKET;
            if (pendingPoll != null) {
                answerPoll(List.of(EnginePacket.NOOP));
            }
            log.debug("session {}: upgraded to websocket", id);
            flush();
            listener.onUpgrade(this);
        } else {
            log.debug("session {}: unexpected packet during upgrade: {}", id, packet);
            abandonProbe();
        }
    }

    private void abandonProbe() {
        cancel(upgradeTimeout);
        Channel channel = probe;
        probe = null;
        probeAnswered = false;
        if (channel != null) {
            channel.close();
        }
    }

    /** A connection used by this session went away. */
    void onChannelClosed(Channel channel) {
        inLoop(() -> {
            if (channel == webSocket) {
                closeNow("transport close", null);
            } else if (channel == probe) {
                probe = null;
                probeAnswered = false;
                cancel(upgradeTimeout);
            } else if (pendingPoll != null && pendingPoll.channel() == channel) {
                releasePoll();
                closeNow("transport error", null);
            }
        });
    }

    // ---- packets and heartbeat -----------------------------------------------------------------------------

    private void onPacket(EnginePacket packet) {
        if (version != EngineIOVersion.V4) {
            resetHeartbeatTimeout(options.pingInterval().toMillis() + options.pingTimeout().toMillis());
        }
        switch (packet.type()) {
            case MESSAGE -> deliver(packet);
            case PONG -> onPong();
            case PING -> {
                enqueue(EnginePacket.of(EnginePacket.Type.PONG, packet.text()));
                flush();
            }
            case CLOSE -> closeNow("transport close", EnginePacket.NOOP);
            case NOOP, UPGRADE -> { }
            default -> onProtocolError(null, new EngineProtocolException("unexpected " + packet.type() + " packet"));
        }
    }

    private void deliver(EnginePacket packet) {
        try {
            if (packet.isBinary()) {
                listener.onBinary(this, packet.binary());
            } else {
                listener.onMessage(this, packet.text());
            }
        } catch (EngineProtocolException e) {
            onProtocolError(null, e);
        } catch (RuntimeException e) {
            log.error("session {}: message handling failed; closing the session", id, e);
            closeNow("server error", EnginePacket.CLOSE);
        }
    }

    private void onProtocolError(Channel channel, EngineProtocolException e) {
        log.debug("session {}: protocol error: {}", id, e.getMessage());
        if (channel != null && channel == probe) {
            abandonProbe();
        } else {
            closeNow("parse error", EnginePacket.CLOSE);
        }
    }

    private void schedulePing() {
        pingTask = loop.schedule(() -> {
            if (state != State.OPEN) {
                return;
            }
            enqueue(EnginePacket.PING);
            flush();
            resetHeartbeatTimeout(options.pingTimeout().toMillis());
        }, options.pingInterval().toMillis(), TimeUnit.MILLISECONDS);
    }

    private void onPong() {
        if (version == EngineIOVersion.V4 && heartbeatTimeout != null) {
            cancel(heartbeatTimeout);
            heartbeatTimeout = null;
            schedulePing();
        }
    }

    private void resetHeartbeatTimeout(long millis) {
        cancel(heartbeatTimeout);
        heartbeatTimeout = loop.schedule(() -> closeNow("ping timeout", EnginePacket.CLOSE), millis, TimeUnit.MILLISECONDS);
    }

    // ---- closing -------------------------------------------------------------------------------------------

    /**
     * Ends the session at once.
     *
     * @param farewell what a pending long-poll is answered with ({@code 6} when the client closed, {@code 1}
     *                 when the server did), or {@code null} for no answer
     */
    private void closeNow(String reason, EnginePacket farewell) {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        cancel(pingTask);
        cancel(heartbeatTimeout);
        cancel(upgradeTimeout);
        cancel(closeTimeout);
        if (pendingPoll != null) {
            HttpExchange poll = releasePoll();
            if (farewell != null) {
                PollingPayload.Body body = PollingPayload.encode(List.of(farewell), version, base64Only);
                poll.respond(HttpResponseStatus.OK, body.contentType(), body.bytes());
            }
        }
        if (webSocket != null && webSocket.isActive()) {
            webSocket.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE))
                    .addListener(ChannelFutureListener.CLOSE);
        }
        if (probe != null) {
            probe.close();
            probe = null;
        }
        clearOutbox();
        log.debug("session {} closed: {}", id, reason);
        onClosed.accept(this);
        try {
            listener.onClose(this, reason);
        } catch (RuntimeException e) {
            log.error("session {}: close handling failed", id, e);
        }
    }

    private static void cancel(ScheduledFuture<?> future) {
        if (future != null) {
            future.cancel(false);
        }
    }

    private void inLoop(Runnable task) {
        if (loop.inEventLoop()) {
            task.run();
        } else {
            loop.execute(task);
        }
    }

    @Override
    public String toString() {
        return "EngineSession[" + id + ", " + version + ", " + transport + "]";
    }
}
