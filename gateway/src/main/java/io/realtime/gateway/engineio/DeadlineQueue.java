package io.realtime.gateway.engineio;

import io.netty.channel.EventLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * Entries of one event loop that all wait the same duration (the heartbeats' ping interval, their ping timeout), kept
 * in the order they started waiting, which is their deadlines' order since the duration is the same; node keeps its
 * timers in one list per duration for this reason. Starting or ending a wait is O(1) and allocates nothing, where a
 * scheduled task per wait costs an allocation and a priority-queue insertion, a cancellation when the wait ends early
 * (every answered ping), and a wake-up of the loop at each deadline.
 *
 * <p>One task wakes the loop for the first deadline, rounded up to the next tick of the loop's clock, and ends every
 * wait due by then: the pings of all the sessions that came due within a tick go out in one wake-up, back to back,
 * and their pongs come back close together. A wait ends at most a tick after its deadline. Only touched on the loop.
 */
final class DeadlineQueue implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(DeadlineQueue.class);

    /** One waiting thing: its place in the queue it waits in, kept by that queue. */
    abstract static class Entry {
        private DeadlineQueue queue;
        private Entry previous;
        private Entry next;
        private long deadline;

        /** Its wait in {@code queue} ended, on the loop; it is no longer in any queue. */
        abstract void expired(DeadlineQueue queue);

        /** The queue it waits in, or {@code null}. */
        final DeadlineQueue queue() {
            return queue;
        }
    }

    private final EventLoop loop;
    private final long durationNanos;
    private final long tickNanos;
    private Entry first;
    private Entry last;
    private boolean wakeUpScheduled;

    DeadlineQueue(EventLoop loop, long durationNanos, long tickNanos) {
        if (durationNanos <= 0 || tickNanos <= 0) {
            throw new IllegalArgumentException("duration and tick must be positive: " + durationNanos + ", " + tickNanos);
        }
        this.loop = loop;
        this.durationNanos = durationNanos;
        this.tickNanos = tickNanos;
    }

    /** Starts {@code entry}'s wait of this queue's duration from now, ending any wait it was in. */
    void add(Entry entry) {
        if (entry.queue != null) {
            entry.queue.remove(entry);
        }
        long now = loop.ticker().nanoTime();
        entry.queue = this;
        entry.deadline = now + durationNanos;
        entry.previous = last;
        if (last == null) {
            first = entry;
        } else {
            last.next = entry;
        }
        last = entry;
        // A wake-up already scheduled comes no later than this deadline, and schedules the next one.
        if (!wakeUpScheduled) {
            scheduleWakeUp(entry.deadline, now);
        }
    }

    /** Ends {@code entry}'s wait without expiring it; nothing when it waits elsewhere or nowhere. */
    void remove(Entry entry) {
        if (entry.queue != this) {
            return;
        }
        if (entry.previous == null) {
            first = entry.next;
        } else {
            entry.previous.next = entry.next;
        }
        if (entry.next == null) {
            last = entry.previous;
        } else {
            entry.next.previous = entry.previous;
        }
        entry.queue = null;
        entry.previous = null;
        entry.next = null;
    }

    @Override
    public void run() {
        wakeUpScheduled = false;
        long now = loop.ticker().nanoTime();
        Entry due;
        // Read from the front each time: an expiry may end other waits of this queue (a session closing another).
        while ((due = first) != null && due.deadline - now <= 0) {
            remove(due);
            try {
                due.expired(this);
            } catch (RuntimeException e) {
                // One failing entry must not hold up the others due with it.
                log.warn("a wait's expiry failed", e);
            }
        }
        if (first != null && !wakeUpScheduled) {
            scheduleWakeUp(first.deadline, now);
        }
    }

    /** Whether nothing waits here. */
    boolean isEmpty() {
        return first == null;
    }

    private void scheduleWakeUp(long deadline, long now) {
        long at = Math.floorDiv(deadline + tickNanos - 1, tickNanos) * tickNanos;
        wakeUpScheduled = true;
        loop.schedule(this, Math.max(0, at - now), TimeUnit.NANOSECONDS);
    }
}
