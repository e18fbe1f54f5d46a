package io.realtime.gateway.server;

import com.corundumstudio.socketio.scheduler.CancelableScheduler;
import com.corundumstudio.socketio.scheduler.SchedulerKey;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * netty-socketio's scheduler (ack timeouts) on the server's own event loops, instead of a separate timer thread
 * that then needs "some" channel context to run on.
 */
final class EventLoopScheduler implements CancelableScheduler {

    private final EventExecutorGroup executors;
    private final ConcurrentMap<SchedulerKey, ScheduledFuture<?>> scheduled = new ConcurrentHashMap<>();

    EventLoopScheduler(EventExecutorGroup executors) {
        this.executors = executors;
    }

    @Override
    public void update(ChannelHandlerContext ctx) {
    }

    @Override
    public void cancel(SchedulerKey key) {
        ScheduledFuture<?> future = scheduled.remove(key);
        if (future != null) {
            future.cancel(false);
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

    @Override
    public void schedule(SchedulerKey key, Runnable runnable, long delay, TimeUnit unit) {
        AtomicReference<ScheduledFuture<?>> self = new AtomicReference<>();
        ScheduledFuture<?> future = executors.next().schedule(() -> {
            scheduled.remove(key, self.get());
            runnable.run();
        }, delay, unit);
        self.set(future);
        ScheduledFuture<?> previous = scheduled.put(key, future);
        if (previous != null) {
            previous.cancel(false);
        }
    }

    @Override
    public void shutdown() {
        scheduled.values().forEach(future -> future.cancel(false));
        scheduled.clear();
    }
}
