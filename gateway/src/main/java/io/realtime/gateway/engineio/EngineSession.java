package io.realtime.gateway.engineio;

import com.corundumstudio.socketio.protocol.EngineIOVersion;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.realtime.gateway.limits.OutboundLimit;
import io.realtime.gateway.stats.TrafficObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.util.ArrayDeque;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One Engine.IO connection (engine.io's {@code socket.ts}): its id, heartbeat, outgoing queue and the upgrade from
 * long-polling to a WebSocket (probe, pause, upgrade). Moving the packets is its current {@link Transport}'s job.
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
    }

    private static final Logger log = LoggerFactory.getLogger(EngineSession.class);
    private static final Listener NO_LISTENER = new Listener() {
        public void onMessage(EngineSession s, String text) { }

        public void onBinary(EngineSession s, byte[] data) { }

        public void onClose(EngineSession s, String reason) { }
    };

    private enum State { OPEN, CLOSING, CLOSED }

    /** How often a backlog is looked at while its connection is not writable. */
    private static final long BACKLOG_CHECK_MILLIS = OutboundLimit.GRACE.toMillis() / 4;

    private final UUID id;
    private final EngineIOVersion version;
    private final EventLoop loop;
    private final EngineOptions options;
    private final OutboundLimit outboundLimit;
    private final InetAddress remoteAddress;
    private final Consumer<EngineSession> onClosed;
    private final TrafficObserver observer;
    private final ArrayDeque<EnginePacket> outbox = new ArrayDeque<>();
    private long outboxBytes;
    /** When the bytes waiting for this client first exceeded the limit (0: they do not). */
    private long overLimitSince;

    private Listener listener = NO_LISTENER;
    private State state = State.OPEN;
    private volatile Transport transport;
    /** A WebSocket opened to replace long-polling; it becomes the transport once the client sends UPGRADE. */
    private WebSocketTransport probe;
    private boolean probeAnswered;
    private ScheduledFuture<?> pingTask;
    private ScheduledFuture<?> heartbeatTimeout;
    private ScheduledFuture<?> upgradeTimeout;
    private ScheduledFuture<?> closeTimeout;
    private ScheduledFuture<?> backlogCheck;

    EngineSession(UUID id, EngineIOVersion version, EventLoop loop, EngineOptions options, OutboundLimit outboundLimit,
                  InetAddress remoteAddress, TrafficObserver observer, Consumer<EngineSession> onClosed) {
        this.id = id;
        this.version = version;
        this.loop = loop;
        this.options = options;
        this.outboundLimit = outboundLimit;
        this.remoteAddress = remoteAddress;
        this.onClosed = onClosed;
        this.observer = observer;
    }

    /** Starts the session on its first transport: queues the OPEN packet and starts the heartbeat. On the loop. */
    void open(Transport first) {
        transport = first;
        boolean upgrades = first.canUpgrade() && options.allows(EngineOptions.WEBSOCKET);
        enqueue(EnginePacket.of(EnginePacket.Type.OPEN, "{\"sid\":\"" + id + "\",\"upgrades\":"
                + (upgrades ? "[\"websocket\"]" : "[]")
                + ",\"pingInterval\":" + options.pingInterval().toMillis()
                + ",\"pingTimeout\":" + options.pingTimeout().toMillis()
                + ",\"maxPayload\":" + options.maxPayload() + "}"));
        if (version == EngineIOVersion.V4) {
            schedulePing();
        } else {
            resetHeartbeatTimeout(options.pingInterval().toMillis() + options.pingTimeout().toMillis());
        }
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

    /** The address of the client that opened the session. */
    public InetAddress remoteAddress() {
        return remoteAddress;
    }

    /** The transport in use now; readable from any thread. */
    public com.corundumstudio.socketio.Transport transport() {
        Transport current = transport;
        return current == null ? null : current.kind();
    }

    /** Whether a long-poll request is waiting for data; readable from any thread. */
    public boolean hasPendingPoll() {
        return transport instanceof PollingTransport polling && polling.hasPendingPoll();
    }

    public boolean isOpen() {
        return state != State.CLOSED;
    }

    TrafficObserver observer() {
        return observer;
    }

    /** Whether the client takes more data without much queueing up for it (volatile packets are skipped otherwise). */
    public boolean isWritable() {
        return transport.isWritable() && outboundLimit.isWritable(outboxBytes);
    }

    /** Sets the layer above; called once, right after the handshake, on the session's loop. */
    public void setListener(Listener listener) {
        this.listener = listener;
    }

    // ---- sending -------------------------------------------------------------------------------------------

    public void send(EnginePacket packet) {
        send(List.of(packet));
    }

    public void send(List<EnginePacket> packets) {
        execute(() -> {
            if (state == State.OPEN) {
                packets.forEach(this::enqueue);
                flush();
            }
        });
    }

    /**
     * The same packets as many other sessions of this loop ({@link SessionFanOut}): when nothing is queued they go
     * to the transport as the shared frames, and {@code true} says that {@link #flushWrites()} must follow;
     * otherwise they go through the outbox like any other send.
     */
    boolean writeShared(WebSocketFrames.Shared frames) {
        if (state != State.OPEN) {
            return false;
        }
        if (outbox.isEmpty() && transport.writeShared(frames)) {
            return true;
        }
        frames.packets().forEach(this::enqueue);
        flush();
        return false;
    }

    /** Sends what {@link #writeShared} wrote (a session closed since then has gone with its connection). */
    void flushWrites() {
        if (state != State.CLOSED) {
            transport.flushShared();
        }
    }

    private void enqueue(EnginePacket packet) {
        outbox.add(packet);
        outboxBytes += packet.isBinary() ? packet.binary().length : packet.text().length() + 1;
    }

    /** Sends what is queued if the transport can take it now; a session that is closing ends once it has. */
    private void flush() {
        if (!transport.canSend()) {
            checkBacklog();
            return;
        }
        if (!outbox.isEmpty()) {
            transport.send(outbox);
            outboxBytes = 0;
        }
        if (state == State.CLOSING) {
            closeNow("forced close", null);
        }
    }

    /** Closes the session from the server side, after what is already queued has been delivered. */
    public void close() {
        execute(() -> {
            if (state != State.OPEN) {
                return;
            }
            state = State.CLOSING;
            if (transport.closesWithPacket()) {
                enqueue(EnginePacket.CLOSE);
            }
            if (transport.canSend()) {
                flush();
            } else {
                // A polling client polls again shortly: it must still get what is queued, then the close packet.
                closeTimeout = loop.schedule(() -> closeNow("forced close", null),
                        options.pingTimeout().toMillis(), TimeUnit.MILLISECONDS);
            }
        });
    }

    // ---- slow consumers ------------------------------------------------------------------------------------

    /** The transport's connection became writable or stopped being so; on the loop. */
    void onWritabilityChanged(Transport from) {
        if (from == transport && state != State.CLOSED && outboundLimit.isLimited()
                && !from.isWritable() && backlogCheck == null) {
            backlogCheck = loop.scheduleAtFixedRate(this::checkBacklog, BACKLOG_CHECK_MILLIS, BACKLOG_CHECK_MILLIS,
                    TimeUnit.MILLISECONDS);
        }
    }

    /**
     * A burst to a healthy client can leave more than the limit waiting for a moment; a client whose backlog stays
     * over the limit for {@link OutboundLimit#GRACE} does not read, and is dropped with its queue, so that nobody
     * else waits for it.
     */
    private void checkBacklog() {
        if (!outboundLimit.isExceeded(outboxBytes + transport.pendingBytes())) {
            overLimitSince = 0;
            if (backlogCheck != null && transport.isWritable()) {
                cancel(backlogCheck);
                backlogCheck = null;
            }
        } else if (overLimitSince == 0) {
            overLimitSince = System.nanoTime();
        } else if (System.nanoTime() - overLimitSince > OutboundLimit.GRACE.toNanos()) {
            log.debug("session {}: more than {} bytes waiting, closing a slow consumer", id, outboundLimit.bytes());
            observer.closedForBehaviour("slow_consumer");
            Transport dropped = transport;
            closeNow("transport error", null);
            dropped.abort();
        }
    }

    // ---- from the transports -------------------------------------------------------------------------------

    void onPoll(HttpExchange exchange) {
        execute(() -> {
            if (state == State.CLOSED) {
                exchange.respondError(EngineIoError.UNKNOWN_SID);
            } else {
                transport.onPoll(exchange);
            }
        });
    }

    void onPost(HttpExchange exchange, List<EnginePacket> packets) {
        execute(() -> {
            if (state == State.CLOSED) {
                exchange.respondError(EngineIoError.UNKNOWN_SID);
            } else {
                transport.onPost(exchange, packets);
            }
        });
    }

    /** A request body that could not be decoded: the session ends as Node's engine.io ends it. */
    void onBadPayload(HttpExchange exchange, String problem) {
        execute(() -> {
            log.debug("session {}: bad polling payload: {}", id, problem);
            exchange.respondError(EngineIoError.BAD_REQUEST);
            closeNow("parse error", EnginePacket.CLOSE);
        });
    }

    void onPayloadTooLarge() {
        execute(() -> closeNow("transport error", EnginePacket.CLOSE));
    }

    /** The transport can send now (a poll arrived). */
    void onTransportReady(Transport from) {
        if (probeAnswered && outbox.isEmpty()) {
            // The client is pausing polling to upgrade: its poll is released at once.
            enqueue(EnginePacket.NOOP);
        }
        flush();
    }

    boolean isCurrent(Transport candidate) {
        return candidate == transport;
    }

    /** A packet from the client, through one of this session's transports. */
    void receive(Transport from, EnginePacket packet) {
        if (state == State.CLOSED) {
            return;
        }
        if (from == probe) {
            onProbePacket(packet);
        } else if (from == transport) {
            onPacket(packet);
        }
    }

    /** What a transport read could not be decoded. */
    void onTransportError(Transport from, EngineProtocolException e) {
        log.debug("session {}: protocol error: {}", id, e.getMessage());
        if (from == probe) {
            abandonProbe();
        } else if (from == transport) {
            closeNow("parse error", EnginePacket.CLOSE);
        }
    }

    /** A transport's connection went away. */
    void onTransportClosed(Transport from, String reason) {
        if (from == transport) {
            closeNow(reason, null);
        } else if (from == probe) {
            probe = null;
            probeAnswered = false;
            cancel(upgradeTimeout);
        }
    }

    // ---- upgrade -------------------------------------------------------------------------------------------

    /** A session whose first transport is a WebSocket: its handshake has been answered. */
    void attachWebSocket(WebSocketTransport webSocket) {
        execute(() -> {
            webSocket.opened();
            if (state != State.CLOSED) {
                flush();
            }
        });
    }

    /** A WebSocket opened by a polling client that wants to upgrade; it becomes the transport after the probe. */
    void attachProbe(WebSocketTransport candidate) {
        execute(() -> {
            if (state != State.OPEN || !transport.canUpgrade() || probe != null) {
                candidate.refuse();
                return;
            }
            candidate.opened();
            probe = candidate;
            upgradeTimeout = loop.schedule(() -> {
                if (probe == candidate) {
                    log.debug("session {}: upgrade timed out", id);
                    abandonProbe();
                }
            }, options.upgradeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        });
    }

    private void onProbePacket(EnginePacket packet) {
        if (packet.type() == EnginePacket.Type.PING && "probe".equals(packet.text())) {
            probe.answerProbe();
            probeAnswered = true;
            if (transport.canSend()) {
                // Pause: a waiting poll returns now, so that the client can send UPGRADE.
                onTransportReady(transport);
            }
        } else if (packet.type() == EnginePacket.Type.UPGRADE && probeAnswered) {
            cancel(upgradeTimeout);
            Transport previous = transport;
            transport = probe;
            probe = null;
            probeAnswered = false;
            previous.discard();
            log.debug("session {}: upgraded to websocket", id);
            flush();
        } else {
            log.debug("session {}: unexpected packet during upgrade: {}", id, packet);
            abandonProbe();
        }
    }

    private void abandonProbe() {
        cancel(upgradeTimeout);
        WebSocketTransport abandoned = probe;
        probe = null;
        probeAnswered = false;
        if (abandoned != null) {
            abandoned.abort();
        }
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
            default -> onTransportError(transport, new EngineProtocolException("unexpected " + packet.type() + " packet"));
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
            onTransportError(transport, e);
        } catch (RuntimeException e) {
            log.error("session {}: message handling failed; closing the session", id, e);
            closeNow("server error", EnginePacket.CLOSE);
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
    void closeNow(String reason, EnginePacket farewell) {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        cancel(pingTask);
        cancel(heartbeatTimeout);
        cancel(upgradeTimeout);
        cancel(closeTimeout);
        cancel(backlogCheck);
        transport.close(farewell);
        if (probe != null) {
            probe.abort();
            probe = null;
        }
        outbox.clear();
        outboxBytes = 0;
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

    /** Runs a task on the session's loop: now when called there, else after what is queued there. */
    void execute(Runnable task) {
        if (loop.inEventLoop()) {
            task.run();
        } else {
            loop.execute(task);
        }
    }

    @Override
    public String toString() {
        return "EngineSession[" + id + ", " + version + ", " + transport() + "]";
    }
}
