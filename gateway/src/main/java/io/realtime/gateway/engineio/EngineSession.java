package io.realtime.gateway.engineio;

import io.realtime.gateway.stats.BehaviourClose;
import io.realtime.gateway.stats.DisconnectReason;
import com.corundumstudio.socketio.protocol.EngineIOVersion;
import io.netty.channel.EventLoop;
import io.realtime.gateway.limits.SlowConsumerGuard;
import io.realtime.gateway.stats.TrafficObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * One Engine.IO connection (engine.io's {@code socket.ts}): its id, state, outbox, heartbeat and upgrade. Moving the
 * packets is the job of its current {@link Transport}; the steps of the upgrade are {@link Upgrade}'s.
 *
 * <p>All state is confined to one Netty event loop, the one that accepted the handshake. Requests of the same
 * session can arrive on other connections (each long-poll may use a new TCP connection, on another loop); every
 * entry point therefore hops onto the session's loop, so there are no locks and nothing here ever blocks.
 */
public final class EngineSession implements SessionFanOut.Recipient {

    /** What the layer above (Socket.IO) hears from a session; always called on the session's event loop. */
    public interface Listener {
        default void onMessage(EngineSession session, String text) { }

        default void onBinary(EngineSession session, byte[] data) { }

        default void onClose(EngineSession session, DisconnectReason reason) { }

        /** The session now runs over WebSocket (after a polling start). */
        default void onUpgrade(EngineSession session) { }

        /** The client answered a ping (v4), or pinged (v3): it is alive. */
        default void onHeartbeat(EngineSession session, boolean pong) { }
    }

    private static final Logger log = LoggerFactory.getLogger(EngineSession.class);

    private enum State { OPEN, CLOSING, CLOSED }

    private final UUID id;
    private final EngineIOVersion version;
    private final EventLoop loop;
    private final InetAddress remoteAddress;
    private final SessionRegistry registry;
    private final Outbox outbox = new Outbox();
    private final Heartbeat heartbeat;
    /**
     * Made when a probe arrives (polling clients that upgrade) and when a backlog first has to be looked at: most
     * WebSocket sessions never need either, and together with the guard's callbacks they cost an idle connection
     * about 140 bytes.
     */
    private Upgrade upgrade;
    private SlowConsumerGuard slowConsumers;

    private Listener listener = new Listener() { };
    private State state = State.OPEN;
    /** Set with {@code CLOSING}: the reason the session ends for once its transport is done. */
    private DisconnectReason closingReason = DisconnectReason.FORCED_CLOSE;
    private volatile Transport transport;
    /** When the fan-out last flushed this session ({@link System#nanoTime()}); at first, as if long ago. */
    private long sharedFlushedAt = System.nanoTime() - TimeUnit.DAYS.toNanos(1);
    /** Written by the fan-out and waiting on one of its flushes. */
    private boolean sharedFlushDue;

    EngineSession(UUID id, EngineIOVersion version, EventLoop loop, InetAddress remoteAddress, SessionRegistry registry) {
        this.id = id;
        this.version = version;
        this.loop = loop;
        this.remoteAddress = remoteAddress;
        this.registry = registry;
        this.heartbeat = new Heartbeat(registry.heartbeats(loop), version, this);
    }

    private SlowConsumerGuard slowConsumers() {
        if (slowConsumers == null) {
            slowConsumers = new SlowConsumerGuard(loop, registry.outboundLimit(),
                    () -> outbox.bytes() + transport.pendingBytes(), () -> transport.isWritable(), this::dropSlowConsumer);
        }
        return slowConsumers;
    }

    private boolean isProbe(Transport candidate) {
        return upgrade != null && upgrade.isProbe(candidate);
    }

    /** Starts the session on its first transport, on its loop: queues the OPEN packet and starts the heartbeat. */
    void open(Transport first) {
        transport = first;
        queue(registry.options().openPacket(id, first.canUpgrade()));
        heartbeat.start();
    }

    public UUID id() {
        return id;
    }

    public EngineIOVersion version() {
        return version;
    }

    /** When the fan-out last flushed this session, in {@link System#nanoTime()}'s terms. */
    long sharedFlushedAt() {
        return sharedFlushedAt;
    }

    /** A session is its own recipient of a broadcast; {@link #writeShared} looks at its state. */
    @Override
    public EngineSession engineSession() {
        return this;
    }

    @Override
    public boolean receivesBroadcasts() {
        return true;
    }

    public EventLoop eventLoop() {
        return loop;
    }

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

    /**
     * Whether a packet sent now goes to the client without waiting (volatile packets skip it otherwise, as socket.io's):
     * a WebSocket not backed up, a long-polling client while its poll waits (not between polls, and not while it pauses
     * polling to upgrade: its transport is polling until the upgrade completes), and in either case no more than a
     * sixteenth of the outbound limit queued. Readable from any thread.
     */
    public boolean isWritable() {
        return transport.isWritable() && registry.outboundLimit().isWritable(outbox.bytes());
    }

    /** Sets the layer above; called once, right after the handshake, on the session's loop. */
    public void setListener(Listener listener) {
        this.listener = listener;
    }

    TrafficObserver observer() {
        return registry.observer();
    }

    EngineOptions options() {
        return registry.options();
    }

    public void send(List<EnginePacket> packets) {
        execute(() -> {
            if (state == State.OPEN) {
                packets.forEach(this::queue);
                flush();
            }
        });
    }

    /**
     * The same packets as many other sessions of this loop ({@link SessionFanOut}): with nothing queued, the
     * transport may take the shared frames, and {@code true} says that {@link #flushWrites} must follow (once: a
     * session already waiting for that flush answers {@code false}).
     */
    boolean writeShared(WebSocketFrames.Shared frames) {
        if (state != State.OPEN) {
            return false;
        }
        if (outbox.isEmpty() && transport.writeShared(frames)) {
            if (sharedFlushDue) {
                return false;
            }
            sharedFlushDue = true;
            return true;
        }
        frames.packets().forEach(this::queue);
        flush();
        return false;
    }

    /** Sends what {@link #writeShared} wrote (a session closed since then has gone with its connection). */
    void flushWrites(long now) {
        sharedFlushDue = false;
        sharedFlushedAt = now;
        if (state != State.CLOSED) {
            transport.flushShared();
        }
    }

    /**
     * Queues a packet for the next flush, even while closing (the close packet itself); counted in the bytes its
     * transport will send (binary as base64 on long-polling).
     */
    void queue(EnginePacket packet) {
        outbox.add(packet, transport.sendsBinaryAsBase64());
    }

    /** Sends what is queued if the transport can take it now; a closing session ends once it has. */
    void flush() {
        if (!transport.canSend()) {
            slowConsumers().check();
            return;
        }
        if (!outbox.isEmpty()) {
            outbox.sendTo(transport);
        }
        if (slowConsumers != null) {
            // What waited went out: a backlog seen over the limit before is over unless the transport still holds it.
            slowConsumers.check();
        }
        if (state == State.CLOSING) {
            closeNow(closingReason, null);
        }
    }

    /** Closes the session from the server side, after what is already queued has been delivered. */
    public void close() {
        close(DisconnectReason.FORCED_CLOSE);
    }

    /**
     * The same, ending it for {@code reason} ({@code server shutting down} when the node drains or stops, as
     * socket.io's {@code server.close()} says).
     */
    public void close(DisconnectReason reason) {
        execute(() -> {
            if (state == State.OPEN) {
                state = State.CLOSING;
                closingReason = reason;
                transport.closeGracefully();
            }
        });
    }

    /** Why a closing session will end, once its transport has said so to the client (or given up). */
    DisconnectReason closingReason() {
        return closingReason;
    }

    /**
     * Ends the session now, from any thread, whatever it is waiting for: a node that stops cannot wait for a polling
     * client's next poll, and its listeners must still hear of the end before the node's resources close.
     */
    public void closeAtOnce(DisconnectReason reason) {
        execute(() -> closeNow(reason, EnginePacket.CLOSE));
    }

    /** Sends a ping; {@code false} once the session no longer pings (it is closing). For the {@link Heartbeat}. */
    boolean ping() {
        if (state == State.OPEN) {
            queue(EnginePacket.PING);
            flush();
        }
        return state == State.OPEN;
    }

    /** A client that does not read ({@link SlowConsumerGuard}): its queue goes with its connection. */
    private void dropSlowConsumer() {
        log.debug("session {}: more than {} bytes waiting, closing a slow consumer", id, registry.outboundLimit().bytes());
        registry.observer().closedForBehaviour(BehaviourClose.SLOW_CONSUMER);
        Transport dropped = transport;
        closeNow(DisconnectReason.TRANSPORT_ERROR, null);
        dropped.abort();
    }

    /** A long-polling request (GET or POST) for this session, served by its transport, on its loop. */
    void onRequest(HttpExchange exchange, BiConsumer<Transport, HttpExchange> serve) {
        execute(() -> {
            if (state == State.CLOSED) {
                exchange.respondError(EngineIoError.UNKNOWN_SID);
            } else {
                serve.accept(transport, exchange);
            }
        });
    }

    /** The transport can send now: a poll arrived, a WebSocket's handshake was answered, a probe too (pause). */
    void onTransportReady() {
        if (!transport.canSend()) {
            return;
        }
        if (upgrade != null && upgrade.isPausing() && outbox.isEmpty()) {
            // The client pauses polling to upgrade: its poll is released at once.
            queue(EnginePacket.NOOP);
        }
        flush();
    }

    boolean isCurrent(Transport candidate) {
        return candidate == transport;
    }

    /**
     * A packet from the client. On the session's transport, taken only while the session is open: as engine.io, a
     * closing session runs no more events, since their acks could no longer be sent (a client that retries would run
     * them twice). Except the client's close: engine.io's polling transport acts on it whatever the session's state,
     * so a closing session whose client says it is gone ends at once ("transport close") instead of waiting for a
     * poll that will not come (up to pingTimeout, counted by the admission limits all along). On an upgrade probe,
     * until the session is closed: a client that paused polling to upgrade can only hear what is queued for it (a
     * DISCONNECT, the close packet) once the upgrade completes.
     */
    void receive(Transport from, EnginePacket packet) {
        if (state == State.CLOSED) {
            return;
        }
        if (isProbe(from)) {
            upgrade.onPacket(packet);
        } else if (from == transport) {
            if (state == State.OPEN) {
                onPacket(packet);
            } else if (packet.type() == EnginePacket.Type.CLOSE) {
                closeNow(DisconnectReason.TRANSPORT_CLOSE, EnginePacket.NOOP);
            }
        }
    }

    void onTransportError(Transport from, EngineProtocolException e) {
        if (isProbe(from)) {
            log.debug("session {}: upgrade probe abandoned: {}", id, e.getMessage());
            upgrade.abandon();
        } else if (from == transport) {
            dropForProtocolError("protocol error: " + e.getMessage());
        }
    }

    /** Input that breaks the protocol ends the session, as Node's engine.io ends it; said once, since it ends here. */
    void dropForProtocolError(String problem) {
        if (state != State.CLOSED) {
            log.info("session {} dropped: {}", id, problem);
            closeNow(DisconnectReason.PARSE_ERROR, EnginePacket.CLOSE);
        }
    }

    void onTransportClosed(Transport from, DisconnectReason reason) {
        if (from == transport) {
            closeNow(reason, null);
        } else if (isProbe(from)) {
            upgrade.onProbeClosed();
        }
    }

    void onWritabilityChanged(Transport from) {
        if (from == transport && state != State.CLOSED && !from.isWritable()) {
            slowConsumers().onUnwritable();
        }
    }

    /** A WebSocket opened by a polling client that wants to upgrade; it becomes the transport after the probe. */
    void attachProbe(WebSocketTransport candidate) {
        execute(() -> {
            if (upgrade == null) {
                upgrade = new Upgrade(this, registry.options().upgradeTimeout());
            }
            upgrade.offer(candidate, state == State.OPEN && transport.canUpgrade());
        });
    }

    /**
     * The upgrade is complete: what polling still holds is released, and the queue goes on the WebSocket. Reported
     * before that flush, as engine.io emits "upgrade" before its flush: the flush ends a closing session, whose close
     * must be the last its listener hears (an "upgraded" after "closed" left the Admin UI a stale entry).
     */
    void switchTo(WebSocketTransport upgraded) {
        Transport previous = transport;
        transport = upgraded;
        previous.discard();
        onWritabilityChanged(upgraded);
        if (state == State.CLOSED) {
            return;
        }
        try {
            listener.onUpgrade(this);
        } catch (RuntimeException e) {
            // The flush below must still run: a closing session ends there.
            log.error("session {}: upgrade handling failed", id, e);
        }
        flush();
    }

    private void onPacket(EnginePacket packet) {
        if (packet.type() != EnginePacket.Type.PONG) {
            heartbeat.onPacket();
        }
        switch (packet.type()) {
            case MESSAGE -> deliver(packet);
            case PONG -> {
                heartbeat.onPong();
                listener.onHeartbeat(this, true);
            }
            case PING -> {
                if (version == EngineIOVersion.V4) {
                    // Only the server pings in Engine.IO 4 (engine.io: "invalid heartbeat direction"). Answering
                    // each would let a client that posts pings and never polls queue pongs without bound.
                    onTransportError(transport, new EngineProtocolException("invalid heartbeat direction"));
                    return;
                }
                // One pong answers every ping since the last one sent: a flood of pings queues no more than that.
                if (!outbox.endsWithPong()) {
                    queue(EnginePacket.of(EnginePacket.Type.PONG, packet.text()));
                }
                flush();
                listener.onHeartbeat(this, false);
            }
            case CLOSE -> closeNow(DisconnectReason.TRANSPORT_CLOSE, EnginePacket.NOOP);
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
        } catch (RuntimeException | Error e) {
            // A handler's AssertionError or stack overflow too: the same end whichever loop read the message (where
            // it was read, Netty would close the connection; handed over from another loop, it would keep it).
            FatalErrors.rethrowIfFatal(e);
            log.error("session {}: message handling failed; closing the session", id, e);
            closeNow(DisconnectReason.SERVER_ERROR, EnginePacket.CLOSE);
        }
    }

    /** Ends the session at once; a waiting poll gets {@code farewell} (6: the client closed, 1: we did) or nothing. */
    void closeNow(DisconnectReason reason, EnginePacket farewell) {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        try {
            heartbeat.stop();
            if (slowConsumers != null) {
                slowConsumers.stop();
            }
            if (upgrade != null) {
                upgrade.abandon();
            }
            transport.close(farewell);
        } catch (RuntimeException e) {
            // Closed is closed: the session must still leave the registry (whose count the connection limits read)
            // and its sockets must still end, or the node would count it for good.
            log.error("session {}: closing its transport failed", id, e);
        }
        outbox.clear();
        log.debug("session {} closed: {}", id, reason);
        registry.remove(this);
        try {
            listener.onClose(this, reason);
        } catch (RuntimeException e) {
            log.error("session {}: close handling failed", id, e);
        }
    }

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
