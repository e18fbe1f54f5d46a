package io.realtime.gateway.engineio;

import com.corundumstudio.socketio.protocol.EngineIOVersion;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * The heartbeat of one session, on its event loop. Engine.IO v4: the server pings every {@code pingInterval} and
 * waits {@code pingTimeout} for the pong. v3: the client pings, and the server waits {@code pingInterval +
 * pingTimeout} for any packet.
 *
 * <p>At most one task is scheduled at a time (the next ping, or the deadline of what is awaited), and it is this
 * object itself: no callback or task object per session or per ping is kept (they cost an idle connection 48 bytes,
 * issue 18).
 */
final class Heartbeat implements Runnable {

    private final EventLoop loop;
    private final EngineOptions options;
    private final boolean serverPings;
    private final EngineSession session;
    private ScheduledFuture<?> pingTask;
    private ScheduledFuture<?> timeout;

    /** The session is pinged ({@link EngineSession#ping()}) and ended when what it awaits does not come. */
    Heartbeat(EventLoop loop, EngineOptions options, EngineIOVersion version, EngineSession session) {
        this.loop = loop;
        this.options = options;
        this.serverPings = version == EngineIOVersion.V4;
        this.session = session;
    }

    void start() {
        if (serverPings) {
            schedulePing();
        } else {
            resetTimeout(options.pingInterval().toMillis() + options.pingTimeout().toMillis());
        }
    }

    /** Any packet from the client: a v3 client is alive. */
    void onPacket() {
        if (!serverPings) {
            resetTimeout(options.pingInterval().toMillis() + options.pingTimeout().toMillis());
        }
    }

    /** The answer to our ping: the next one follows after the interval. */
    void onPong() {
        if (serverPings && timeout != null) {
            timeout.cancel(false);
            timeout = null;
            schedulePing();
        }
    }

    void stop() {
        cancel(pingTask);
        cancel(timeout);
    }

    /** The scheduled task: the deadline of what is awaited when one is set, else the next ping. */
    @Override
    public void run() {
        if (timeout != null) {
            timeout = null;
            session.closeNow(io.realtime.gateway.stats.DisconnectReason.PING_TIMEOUT, EnginePacket.CLOSE);
        } else {
            pingTask = null;
            // false: the session no longer pings (it is closing).
            if (session.ping()) {
                resetTimeout(options.pingTimeout().toMillis());
            }
        }
    }

    private void schedulePing() {
        pingTask = loop.schedule(this, options.pingInterval().toMillis(), TimeUnit.MILLISECONDS);
    }

    private void resetTimeout(long millis) {
        cancel(timeout);
        timeout = loop.schedule(this, millis, TimeUnit.MILLISECONDS);
    }

    private static void cancel(ScheduledFuture<?> future) {
        if (future != null) {
            future.cancel(false);
        }
    }
}
