package io.realtime.gateway.limits;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Drops a client that stops reading (the {@link OutboundLimit}), for one connection, on its event loop. A burst to a
 * healthy client can leave more than the limit waiting for a moment; a backlog that stays over it for
 * {@link OutboundLimit#GRACE} belongs to a client that does not read, and goes with its connection, so that nobody
 * else waits for it.
 *
 * <p>The backlog is looked at whenever the owner queues without sending ({@link #check()}), and every quarter of the
 * grace while the connection is not writable ({@link #onUnwritable()}, from Netty's writability events).
 */
public final class SlowConsumerGuard {

    private static final long CHECK_MILLIS = OutboundLimit.GRACE.toMillis() / 4;

    private final EventLoop loop;
    private final OutboundLimit limit;
    private final LongSupplier waitingBytes;
    private final BooleanSupplier writable;
    private final Runnable drop;
    /** When the bytes waiting first exceeded the limit (0: they do not). */
    private long overLimitSince;
    private ScheduledFuture<?> watch;

    /**
     * @param waitingBytes the bytes waiting for the client now
     * @param writable     whether its connection takes more without queueing
     * @param drop         closes the connection of a slow consumer
     */
    public SlowConsumerGuard(EventLoop loop, OutboundLimit limit, LongSupplier waitingBytes, BooleanSupplier writable,
                             Runnable drop) {
        this.loop = loop;
        this.limit = limit;
        this.waitingBytes = waitingBytes;
        this.writable = writable;
        this.drop = drop;
    }

    /** Looks at the backlog now. */
    public void check() {
        if (!limit.isExceeded(waitingBytes.getAsLong())) {
            overLimitSince = 0;
            if (watch != null && writable.getAsBoolean()) {
                stop();
            }
        } else if (overLimitSince == 0) {
            overLimitSince = loop.ticker().nanoTime();
        } else if (loop.ticker().nanoTime() - overLimitSince > OutboundLimit.GRACE.toNanos()) {
            stop();
            drop.run();
        }
    }

    /** The connection stopped being writable: its backlog is watched until it is again. */
    public void onUnwritable() {
        if (limit.isLimited() && watch == null) {
            watch = loop.scheduleAtFixedRate(this::check, CHECK_MILLIS, CHECK_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /** Stops watching and forgets the backlog seen so far. */
    public void stop() {
        overLimitSince = 0;
        if (watch != null) {
            watch.cancel(false);
            watch = null;
        }
    }
}
