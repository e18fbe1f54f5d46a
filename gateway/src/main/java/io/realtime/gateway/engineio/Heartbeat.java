package io.realtime.gateway.engineio;

import com.corundumstudio.socketio.protocol.EngineIOVersion;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The heartbeat of one session, on its event loop. Engine.IO v4: the server pings every {@code pingInterval} and
 * waits {@code pingTimeout} for the pong. v3: the client pings, and the server waits {@code pingInterval +
 * pingTimeout} for any packet.
 */
final class Heartbeat {

    private final EventLoop loop;
    private final EngineOptions options;
    private final boolean serverPings;
    private final BooleanSupplier ping;
    private final Runnable timedOut;
    private ScheduledFuture<?> pingTask;
    private ScheduledFuture<?> timeout;

    /**
     * @param ping     sends a ping; {@code false} when the session no longer pings (it is closing)
     * @param timedOut ends the session
     */
    Heartbeat(EventLoop loop, EngineOptions options, EngineIOVersion version, BooleanSupplier ping, Runnable timedOut) {
        this.loop = loop;
        this.options = options;
        this.serverPings = version == EngineIOVersion.V4;
        this.ping = ping;
        this.timedOut = timedOut;
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

    private void schedulePing() {
        pingTask = loop.schedule(() -> {
            if (ping.getAsBoolean()) {
                resetTimeout(options.pingTimeout().toMillis());
            }
        }, options.pingInterval().toMillis(), TimeUnit.MILLISECONDS);
    }

    private void resetTimeout(long millis) {
        cancel(timeout);
        timeout = loop.schedule(timedOut, millis, TimeUnit.MILLISECONDS);
    }

    private static void cancel(ScheduledFuture<?> future) {
        if (future != null) {
            future.cancel(false);
        }
    }
}
