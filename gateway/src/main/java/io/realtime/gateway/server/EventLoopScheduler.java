package io.realtime.gateway.server;

import com.corundumstudio.socketio.scheduler.CancelableScheduler;
import com.corundumstudio.socketio.scheduler.SchedulerKey;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * netty-socketio's scheduler (ack timeouts) on the server's own event loops, instead of a separate timer thread
 * that then needs "some" channel context to run on.
 */
final class EventLoopScheduler implements CancelableScheduler {

    private final EventExecutorGroup executors;
    private final ConcurrentMap<SchedulerKey, Entry> scheduled = new ConcurrentHashMap<>();

    EventLoopScheduler(EventExecutorGroup executors) {
        this.executors = executors;
    }

    @Override
    public void update(ChannelHandlerContext ctx) {
    }

    @Override
    public void cancel(SchedulerKey key) {
        Entry entry = scheduled.remove(key);
        if (entry != null) {
            entry.cancel();
        }
    }

    @Override
    public void schedule(Runnable runnable, long delay, TimeUnit unit) {
        executors.next().schedule(runnable, delay, unit);
    }

    @Override
    public void scheduleCallback(SchedulerKey key, Runnable runnable, long delay, TimeUnit unit) {
        schedule(key, runnable, delay, unit);
    }

    /**
     * The entry is in the map before its task can run, so the task always finds (and removes) it: scheduled first, a
     * task due at once on another loop could run before the put, whose finished future then stayed for good.
     */
    @Override
    public void schedule(SchedulerKey key, Runnable runnable, long delay, TimeUnit unit) {
        Entry entry = new Entry();
        Entry previous = scheduled.put(key, entry);
        if (previous != null) {
            previous.cancel();
        }
        entry.start(executors.next().schedule(() -> {
            scheduled.remove(key, entry);
            if (!entry.isCancelled()) {
                runnable.run();
            }
        }, delay, unit));
    }

    @Override
    public void shutdown() {
        scheduled.values().forEach(Entry::cancel);
        scheduled.clear();
    }

    /** Tasks scheduled with a key that have neither run nor been cancelled; for tests. */
    int size() {
        return scheduled.size();
    }

    /** A keyed task, cancellable before its future exists (cancelled between the put and the schedule). */
    private static final class Entry {
        private ScheduledFuture<?> future;
        private boolean cancelled;

        synchronized void start(ScheduledFuture<?> scheduledFuture) {
            future = scheduledFuture;
            if (cancelled) {
                scheduledFuture.cancel(false);
            }
        }

        synchronized void cancel() {
            cancelled = true;
            if (future != null) {
                future.cancel(false);
            }
        }

        synchronized boolean isCancelled() {
            return cancelled;
        }
    }
}
