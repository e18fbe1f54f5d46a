package io.realtime.gateway.engineio;

import com.corundumstudio.socketio.protocol.EngineIOVersion;
import io.netty.channel.EventLoop;
import io.realtime.gateway.stats.DisconnectReason;

import java.time.Duration;

/**
 * The heartbeat of one session, on its event loop. Engine.IO v4: the server pings every {@code pingInterval} and
 * waits {@code pingTimeout} for the pong; as engine.io 6.6 does, the first other packet during that wait starts it
 * again, once per ping (a pong held behind a long upload, or a poll's body, is late, not missing). v3: the client pings, and the server waits {@code pingInterval +
 * pingTimeout} for any packet.
 *
 * <p>The heartbeat waits in one of its loop's {@link Queues} at a time (for the next ping, for the pong, for a v3
 * client's next packet): no task, callback or future per session or per ping (they cost an idle connection
 * 64 bytes, and its loop a wake-up per ping).
 */
final class Heartbeat extends DeadlineQueue.Entry {

    /**
     * The waits of one event loop's heartbeats, one queue per duration. Their tick, how late a ping or a timeout may
     * come so that those due together share a wake-up, is a two-hundredth of the shorter of {@code pingInterval} and
     * {@code pingTimeout}, from 1 ms to 100 ms: 100 ms for socket.io's 25 s and 20 s.
     */
    static final class Queues {
        static final Duration SHORTEST_TICK = Duration.ofMillis(1);
        static final Duration LONGEST_TICK = Duration.ofMillis(100);

        private final DeadlineQueue untilPing;
        private final DeadlineQueue untilPong;
        private final DeadlineQueue untilV3Silence;

        Queues(EventLoop loop, EngineOptions options) {
            long tick = tick(options).toNanos();
            this.untilPing = new DeadlineQueue(loop, options.pingInterval().toNanos(), tick);
            this.untilPong = new DeadlineQueue(loop, options.pingTimeout().toNanos(), tick);
            this.untilV3Silence = new DeadlineQueue(loop, options.pingInterval().plus(options.pingTimeout()).toNanos(), tick);
        }

        static Duration tick(EngineOptions options) {
            Duration shorter = options.pingInterval().compareTo(options.pingTimeout()) < 0
                    ? options.pingInterval() : options.pingTimeout();
            Duration tick = shorter.dividedBy(200);
            return tick.compareTo(SHORTEST_TICK) < 0 ? SHORTEST_TICK : tick.compareTo(LONGEST_TICK) > 0 ? LONGEST_TICK : tick;
        }
    }

    private final Queues queues;
    private final boolean serverPings;
    private final EngineSession session;
    /** Whether the current wait for a pong was started again by another packet (once per ping). */
    private boolean pongWaitExtended;

    /** The session is pinged ({@link EngineSession#ping()}) and ended when what it awaits does not come. */
    Heartbeat(Queues queues, EngineIOVersion version, EngineSession session) {
        this.queues = queues;
        this.serverPings = version == EngineIOVersion.V4;
        this.session = session;
    }

    /** On the session's loop, as every method here. */
    void start() {
        (serverPings ? queues.untilPing : queues.untilV3Silence).add(this);
    }

    /** Any packet from the client but a pong: a v3 client is alive, a v4 client's pong may be on its way. */
    void onPacket() {
        if (!serverPings) {
            if (queue() != null) {
                queues.untilV3Silence.add(this);
            }
        } else if (queue() == queues.untilPong && !pongWaitExtended) {
            pongWaitExtended = true;
            queues.untilPong.add(this);
        }
    }

    /** The answer to our ping: the next one follows after the interval. */
    void onPong() {
        if (queue() == queues.untilPong) {
            queues.untilPing.add(this);
        }
    }

    void stop() {
        if (queue() != null) {
            queue().remove(this);
        }
    }

    @Override
    void expired(DeadlineQueue queue) {
        if (queue == queues.untilPing) {
            // false: the session no longer pings (it is closing).
            if (session.ping()) {
                pongWaitExtended = false;
                queues.untilPong.add(this);
            }
        } else {
            session.closeNow(DisconnectReason.PING_TIMEOUT, EnginePacket.CLOSE);
        }
    }
}
