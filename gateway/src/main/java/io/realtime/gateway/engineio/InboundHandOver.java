package io.realtime.gateway.engineio;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.EventExecutor;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Hands what a connection reads to its session's event loop, and stops reading the connection while too much of it
 * waits there.
 *
 * <p>A session stays on the loop of its first request, while the WebSocket it upgrades to, and each polling
 * connection, is accepted on whichever loop comes next: most of the time another one. That connection's loop reads as
 * fast as the network delivers and would queue every message (or pipelined POST) on the session's loop without bound
 * (up to {@code maxPayload} each), growing the heap and delaying the pings and acks of every other session there.
 * Where both are one loop, a message is handled as it is read, which throttles the connection by itself; this gives
 * the other case the same limit, through the connection's {@code autoRead} as Netty's own flow control does.
 *
 * <p>Reads are paused and resumed on the connection's loop only; the session's loop tells it when it has caught up.
 */
final class InboundHandOver {

    /** What a queued message costs beyond its bytes (the task, its closure, the string or array header). */
    static final int PER_MESSAGE = 64;

    /**
     * The connection's hand-over, made at its first message for another loop: two of the largest messages may wait
     * there before the connection is read again.
     */
    static InboundHandOver of(Channel channel, int maxPayload) {
        InboundHandOver handOver = channel.attr(KEY).get();
        if (handOver == null) {
            handOver = new InboundHandOver(channel, 2L * (maxPayload + PER_MESSAGE));
            channel.attr(KEY).set(handOver);
        }
        return handOver;
    }

    private static final AttributeKey<InboundHandOver> KEY = AttributeKey.valueOf(InboundHandOver.class, "handOver");

    private final Channel channel;
    private final long pauseAbove;
    private final long resumeAtOrBelow;
    private final AtomicLong waiting = new AtomicLong();
    private volatile boolean paused;

    /** @param pauseAbove the bytes waiting on sessions' loops above which the connection is no longer read */
    InboundHandOver(Channel channel, long pauseAbove) {
        this.channel = channel;
        this.pauseAbove = pauseAbove;
        this.resumeAtOrBelow = pauseAbove / 2;
    }

    /**
     * Runs {@code handle} on {@code sessionLoop}; called on the connection's loop for a message of {@code bytes}.
     * Messages handed over by one connection keep their order.
     */
    void handOver(EventExecutor sessionLoop, long bytes, Runnable handle) {
        if (sessionLoop.inEventLoop()) {
            handle.run();
            return;
        }
        long cost = bytes + PER_MESSAGE;
        long nowWaiting = waiting.addAndGet(cost);
        sessionLoop.execute(() -> {
            try {
                handle.run();
            } finally {
                handled(cost);
            }
        });
        if (nowWaiting > pauseAbove && !paused) {
            pause();
        }
    }

    /** Whether the connection's reads are paused (for tests and metrics). */
    boolean isPaused() {
        return paused;
    }

    private void pause() {
        paused = true;
        channel.config().setAutoRead(false);
        // The session's loop may have caught up before it could see the pause: nobody else would resume.
        if (waiting.get() <= resumeAtOrBelow) {
            resume();
        }
    }

    private void handled(long cost) {
        if (waiting.addAndGet(-cost) <= resumeAtOrBelow && paused && channel.isActive()) {
            channel.eventLoop().execute(this::resume);
        }
    }

    private void resume() {
        if (paused && waiting.get() <= resumeAtOrBelow) {
            paused = false;
            channel.config().setAutoRead(true);
        }
    }
}
