package io.realtime.gateway.engineio;

import io.netty.channel.EventLoop;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;

/**
 * Keeps the packets that carry a recovery offset in the order their offsets were given, per event loop. Offsets are
 * given under the recovery's lock, on any thread; a packet whose connection lives on another loop is handed to it as a
 * task, while one for the current loop would be written at once and overtake the tasks still waiting there, so a
 * client would get offset 6 before 5 (and, recovering from 5, get 6 twice, or lose 5 had its transport dropped in
 * between). While tasks of this kind wait on a loop, that loop's own such packets queue behind them.
 */
public final class OffsetOrder {

    /** Loops with offset-carrying tasks waiting, and how many; a loop leaves the map when its last one ran. */
    private static final ConcurrentHashMap<EventLoop, Integer> WAITING = new ConcurrentHashMap<>();

    private OffsetOrder() {
    }

    /** Runs {@code write} on {@code loop}: now when this thread is that loop and nothing waits there, else queued. */
    public static void run(EventLoop loop, Runnable write) {
        if (loop.inEventLoop() && !WAITING.containsKey(loop)) {
            write.run();
            return;
        }
        WAITING.merge(loop, 1, Integer::sum);
        try {
            loop.execute(() -> {
                try {
                    write.run();
                } finally {
                    ran(loop);
                }
            });
        } catch (RejectedExecutionException stopped) {
            // The loop is shutting down with its connections: nothing left to write to.
            ran(loop);
        }
    }

    private static void ran(EventLoop loop) {
        WAITING.computeIfPresent(loop, (key, count) -> count == 1 ? null : count - 1);
    }
}
