package io.realtime.cluster.core;

import io.realtime.cluster.ClusterStats;

import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where the cluster does what costs in proportion to this node's sockets or to a stream's length: answers to other
 * nodes' requests (a walk of every socket of a namespace) and a recovery's replay (up to thousands of entries to
 * decode). Not on the threads that read Redis, which would hold up every broadcast behind it, and not on the
 * transport's scheduler, which flushes the publishes and runs every timeout: on one thread of its own.
 *
 * <p>Other nodes' requests ({@link #execute}) are bounded: their number is not this node's to choose, so one beyond
 * {@link #QUEUE_CAPACITY} waiting is refused ({@link RejectedExecutionException}) and its caller says what that means
 * (a request left unanswered). This node's own work ({@link #executeOwn}: a restore's replay) is never refused for
 * that bound: it is bounded already by the handshakes in flight (one task at a time per restore), and a refusal would
 * cost a client its session in the very reconnect storm recovery exists for. Both wait in one queue, in order.
 * {@link ClusterStats#workQueued()} is the gauge of both.
 *
 * <p>The application's listeners of other servers' events ({@link #executeListener}) run on a thread of their own, in
 * the order the events arrived: not on the thread reading Redis, where a listener that waits (a {@code fetchSockets()}
 * joined, whose answers that very thread delivers) would hold up every message to this node until the request's
 * timeout; and not behind or ahead of the answers above, which a listener that waits would hold up for every other node.
 */
public final class ClusterWork implements Executor, AutoCloseable {

    /** Other nodes' requests waiting behind the running task before the next is refused: room for bursts, not for a storm. */
    public static final int QUEUE_CAPACITY = 256;

    private final ThreadPoolExecutor executor;
    /** The listeners' thread ({@link #executeListener}). */
    private final ThreadPoolExecutor listeners;
    private final ClusterStats stats;
    /** Other nodes' requests queued and not started yet: what the bound counts. */
    private final AtomicInteger requestsWaiting = new AtomicInteger();

    public ClusterWork(String threadName, ClusterStats stats) {
        this.stats = stats;
        this.executor = oneThread(threadName);
        this.listeners = oneThread(threadName + "-listeners");
    }

    private static ThreadPoolExecutor oneThread(String name) {
        return new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Runs the listeners of an event from another server, after those of the events that arrived before it. Never
     * refused for a bound: it holds what the thread reading Redis would otherwise have waited for.
     *
     * @throws RejectedExecutionException after {@link #close} only
     */
    public void executeListener(Runnable task) {
        listeners.execute(task);
    }

    /**
     * Another node's request.
     *
     * @throws RejectedExecutionException when {@link #QUEUE_CAPACITY} of them wait already, or after {@link #close}
     */
    @Override
    public void execute(Runnable task) {
        if (requestsWaiting.getAndUpdate(n -> n < QUEUE_CAPACITY ? n + 1 : n) >= QUEUE_CAPACITY) {
            throw new RejectedExecutionException("the cluster's work queue holds " + QUEUE_CAPACITY + " requests already");
        }
        try {
            submit(() -> {
                requestsWaiting.decrementAndGet();
                task.run();
            });
        } catch (RejectedExecutionException e) {
            requestsWaiting.decrementAndGet();
            throw e;
        }
    }

    /**
     * This node's own work, whose callers bound it: queued whatever waits.
     *
     * @throws RejectedExecutionException after {@link #close} only
     */
    public void executeOwn(Runnable task) {
        submit(task);
    }

    private void submit(Runnable task) {
        stats.recordWorkQueued(1);
        try {
            executor.execute(() -> {
                try {
                    task.run();
                } finally {
                    stats.recordWorkQueued(-1);
                }
            });
        } catch (RejectedExecutionException e) {
            stats.recordWorkQueued(-1);
            throw e;
        }
    }

    /** Drops what waits: the link it served is gone, nobody can be answered any more. */
    @Override
    public void close() {
        stats.recordWorkQueued(-executor.shutdownNow().size());
        listeners.shutdownNow();
    }
}
