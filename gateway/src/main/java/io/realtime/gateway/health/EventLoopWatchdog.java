package io.realtime.gateway.health;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorGroup;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Whether the node's event loops still run what they are given. A loop that an application handler blocks (a lock,
 * a blocking call, an endless loop) serves none of its connections, and nothing else notices: the health endpoints
 * answer from the internal port's own loop, and the other loops go on. Once a second every loop is handed a task
 * that notes when it ran; a loop's lag is how long its latest task has waited so far, or waited, once it ran.
 */
public final class EventLoopWatchdog implements AutoCloseable {

    public static final Duration PROBE_INTERVAL = Duration.ofSeconds(1);
    /**
     * A loop this far behind takes the node out of the balancer's rotation: the connections it would be given wait
     * behind it anyway. Far above what a busy loop lags (milliseconds) or a GC pause lasts.
     */
    public static final Duration UNREADY_AFTER = Duration.ofSeconds(5);
    /** A loop that has run nothing for this long does not come back by itself: a restart is the cure. */
    public static final Duration DEAD_AFTER = Duration.ofSeconds(20);

    /** For a node whose loops are not watched (no loops of its own, or a test): never behind. */
    public static final EventLoopWatchdog NONE = new EventLoopWatchdog(List.of(), System::nanoTime);

    private final List<Probe> probes;
    private final LongSupplier nanoTime;
    private volatile ScheduledFuture<?> schedule;

    private EventLoopWatchdog(List<EventExecutor> loops, LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        List<Probe> made = new ArrayList<>(loops.size());
        for (EventExecutor loop : loops) {
            made.add(new Probe(loop));
        }
        this.probes = List.copyOf(made);
    }

    /** Watches every loop of {@code loops}, on {@code nanoTime}'s clock; nothing runs until {@link #start}. */
    public static EventLoopWatchdog of(EventExecutorGroup loops, LongSupplier nanoTime) {
        List<EventExecutor> each = new ArrayList<>();
        loops.forEach(each::add);
        return new EventLoopWatchdog(each, nanoTime);
    }

    /** Probes the loops every {@link #PROBE_INTERVAL} on {@code scheduler}, from now until {@link #close}. */
    public EventLoopWatchdog start(ScheduledExecutorService scheduler) {
        long interval = PROBE_INTERVAL.toMillis();
        schedule = scheduler.scheduleAtFixedRate(this::probe, 0, interval, TimeUnit.MILLISECONDS);
        return this;
    }

    /** Hands each loop whose last task has run a new one; a loop still busy with its last keeps that one. */
    void probe() {
        long now = nanoTime.getAsLong();
        for (Probe probe : probes) {
            probe.send(now);
        }
    }

    /** How far behind the slowest loop is (a loop that is shutting down does not count). */
    public Duration lag() {
        long now = nanoTime.getAsLong();
        long worst = 0;
        for (Probe probe : probes) {
            worst = Math.max(worst, probe.lag(now));
        }
        return Duration.ofNanos(worst);
    }

    @Override
    public void close() {
        ScheduledFuture<?> running = schedule;
        if (running != null) {
            running.cancel(false);
        }
    }

    /** One loop's task: handed over at {@link #sentAt}, pending until the loop runs it. */
    private final class Probe implements Runnable {

        private final EventExecutor loop;
        private volatile long sentAt;
        private volatile boolean pending;
        private volatile long lastWait;

        Probe(EventExecutor loop) {
            this.loop = loop;
        }

        void send(long now) {
            if (pending || loop.isShuttingDown()) {
                return;
            }
            sentAt = now;
            pending = true;
            try {
                loop.execute(this);
            } catch (RejectedExecutionException stopping) {
                pending = false;
            }
        }

        @Override
        public void run() {
            lastWait = nanoTime.getAsLong() - sentAt;
            pending = false;
        }

        long lag(long now) {
            if (loop.isShuttingDown()) {
                return 0;
            }
            return pending ? Math.max(0, now - sentAt) : lastWait;
        }
    }
}
