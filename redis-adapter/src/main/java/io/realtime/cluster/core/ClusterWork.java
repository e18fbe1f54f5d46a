package io.realtime.cluster.core;

import io.realtime.cluster.ClusterStats;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Where the cluster does what costs in proportion to this node's sockets or to a stream's length: answers to other
 * nodes' requests (a walk of every socket of a namespace) and a recovery's replay (up to thousands of entries to
 * decode). Not on the threads that read Redis, which would hold up every broadcast behind it, and not on the
 * transport's scheduler, which flushes the publishes and runs every timeout: on one thread of its own, behind a
 * bounded queue. A task beyond the queue is refused ({@link RejectedExecutionException}): its caller says what that
 * means (a request left unanswered, a session not restored). {@link ClusterStats#workQueued()} is the queue's gauge.
 */
public final class ClusterWork implements Executor, AutoCloseable {

    /** Tasks waiting behind the running one before the next is refused: room for bursts, not for a storm. */
    public static final int QUEUE_CAPACITY = 256;

    private final ThreadPoolExecutor executor;
    private final ClusterStats stats;

    public ClusterWork(String threadName, ClusterStats stats) {
        this.stats = stats;
        this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUE_CAPACITY),
                runnable -> {
                    Thread thread = new Thread(runnable, threadName);
                    thread.setDaemon(true);
                    return thread;
                });
    }

    /** @throws RejectedExecutionException when {@link #QUEUE_CAPACITY} tasks wait already, or after {@link #close} */
    @Override
    public void execute(Runnable task) {
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
    }
}
