package io.realtime.gateway.http;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * Shuts an event loop group down for a stop, waiting a bounded time for its threads to end. Netty's own
 * {@code shutdownGracefully(quiet, timeout)} bounds only the quiet period: a loop stuck in a task (an application
 * handler that blocks) never ends, and a stop that waited for it without a limit would hang for good (a SIGTERM's
 * shutdown hook, and with it the pod, until the kubelet's SIGKILL; an embedding application's {@code stop()}). Past
 * the bound the stop goes on without it, with a warning naming the group; the JVM's exit ends the stuck thread.
 */
public final class LoopShutdown {

    private static final Logger log = LoggerFactory.getLogger(LoopShutdown.class);

    /** Netty's graceful-shutdown timeout: a loop that keeps getting tasks ends after it all the same. */
    public static final long SHUTDOWN_MILLIS = 500;
    /** How long a stop waits for a group's threads to end (a healthy loop ends within {@link #SHUTDOWN_MILLIS}). */
    public static final long WAIT_MILLIS = 2000;

    private LoopShutdown() {
    }

    /** Starts the group's shutdown (no quiet period, {@link #SHUTDOWN_MILLIS} at most for its queued tasks). */
    public static Future<?> begin(EventLoopGroup group) {
        return group.shutdownGracefully(0, SHUTDOWN_MILLIS, TimeUnit.MILLISECONDS);
    }

    /**
     * Waits up to {@link #WAIT_MILLIS} for a group whose shutdown {@link #begin} started; {@code false}, after a
     * warning naming it ({@code name}) and saying how many of its loops still run, when it did not end by then.
     */
    public static boolean await(EventLoopGroup group, Future<?> termination, String name) {
        if (termination.awaitUninterruptibly(WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
            return true;
        }
        int loops = 0;
        int running = 0;
        for (EventExecutor loop : group) {
            loops++;
            if (!loop.isTerminated()) {
                running++;
            }
        }
        log.warn("{}: {} of {} loops did not end within {} ms of the stop (a task blocks them): the stop goes on without"
                + " them", name, running, loops, WAIT_MILLIS);
        return false;
    }

    /** {@link #begin} then {@link #await}. */
    public static boolean shutDown(EventLoopGroup group, String name) {
        return await(group, begin(group), name);
    }
}
