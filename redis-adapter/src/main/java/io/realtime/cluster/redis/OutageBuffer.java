package io.realtime.cluster.redis;

import io.realtime.cluster.ClusterStats;
import io.realtime.cluster.ClusterUnavailableException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.ToIntFunction;

/**
 * Messages published (and stream entries appended) while Redis is unreachable or too slow to take more commands (and
 * after them, until they are sent), kept in the order they were published, bounded by count (the oldest is dropped
 * first) and by age (too old to be worth sending when Redis is back). Requests published while held messages wait are
 * queued behind them, so that no node answers one without what was published before it. Thread-safe.
 *
 * <p>The order is kept within a lane: one for everything over a single connection (a single Redis or Sentinel, plain
 * pub/sub and stream appends on a Redis Cluster), one per slot for sharded pub/sub on a Redis Cluster, where each slot
 * is served by its own primary and the other nodes read each shard on a connection of its own, so no order holds
 * across slots anyway (nor does Node's sharded adapter keep one). A message waits behind the held messages of its own
 * lane only, and a lane whose send failed is {@link #pause paused} until the next retry while the others drain: a
 * shard that is down (its slot without an owner, a failover under way) delays only what is published to its slots.
 * The bounds (count, age) are the buffer's, over every lane.
 */
final class OutageBuffer {

    /** The lane of everything when there is one: all of it in one order. */
    static final int ONE_LANE = -1;

    /** What is held: a message to publish, or an entry to append to a stream. */
    sealed interface Outgoing permits Publish, Append {

        /** Runs under the buffer's lock each time it is held (again), before a drain can take it. */
        default void onHeld() {
        }
    }

    /** A {@code PUBLISH}, or an {@code SPUBLISH} when {@code sharded}. */
    record Publish(boolean sharded, String channel, byte[] message) implements Outgoing {
    }

    /**
     * An {@code XADD stream MAXLEN ~ maxLen * body}; {@code whenHeld} tells its appender, which must know the entry
     * will come back before the reader can return it.
     */
    record Append(String stream, long maxLen, Map<byte[], byte[]> body, Runnable whenHeld) implements Outgoing {

        @Override
        public void onHeld() {
            whenHeld.run();
        }
    }

    /**
     * One message; {@code request} is completed once a queued request is sent (or failed if it cannot be), and is
     * {@code null} for a held message, whose publisher was told at once that it was taken.
     */
    record Held(long sequence, int lane, Outgoing outgoing, long heldAtNanos, CompletableFuture<Void> request) {

        boolean isRequest() {
            return request != null;
        }
    }

    private final int capacity;
    private final long maxAgeNanos;
    private final ClusterStats stats;
    /** Each message's lane: see the class. */
    private final ToIntFunction<Outgoing> laneOf;
    /**
     * By publication order: a message whose send failed goes back to its place, not to the end (a resend's, and a
     * message sent at once, whose place was taken when it was published: see {@link #place}).
     */
    private final TreeMap<Long, Held> held = new TreeMap<>();
    /** Places in the publication order taken so far: held messages and those sent at once alike. */
    private final AtomicLong published = new AtomicLong();
    /**
     * Lanes from the first message held in them until a drain finds none of theirs left to send: later messages of
     * those lanes must queue behind. Read without the lock on every publish.
     */
    private final Set<Integer> waiting = ConcurrentHashMap.newKeySet();
    /** How many messages each lane holds (under the lock); lanes holding none are absent. */
    private final Map<Integer, Integer> heldPerLane = new HashMap<>();
    /** Lanes whose send failed, not drained until {@link #resume} (under the lock). */
    private final Set<Integer> paused = new HashSet<>();
    /** Lanes the last drain took messages from, which may still be in flight (under the lock). */
    private Set<Integer> drained = Set.of();
    /** Once the link closed: nothing is held any more. */
    private boolean closed;
    /**
     * Failures of requests dropped under the lock, run once it is released: a request's failure runs its caller's
     * callbacks, which must not hold up the event loops publishing meanwhile.
     */
    private List<Runnable> failures = new ArrayList<>();

    /** Everything in one lane, in one order. */
    OutageBuffer(int capacity, Duration maxAge, ClusterStats stats) {
        this(capacity, maxAge, stats, outgoing -> ONE_LANE);
    }

    OutageBuffer(int capacity, Duration maxAge, ClusterStats stats, ToIntFunction<Outgoing> laneOf) {
        this.capacity = capacity;
        this.maxAgeNanos = maxAge.toNanos();
        this.stats = stats;
        this.laneOf = laneOf;
        stats.recordHeld(0, capacity);
    }

    void hold(Outgoing outgoing) {
        synchronized (this) {
            holdHeld(laneOf.applyAsInt(outgoing), outgoing);
        }
        failDroppedRequests();
    }

    private void holdHeld(int lane, Outgoing outgoing) {
        if (capacity == 0 || closed) {
            stats.recordDropped();
            return;
        }
        add(new Held(published.getAndIncrement(), lane, outgoing, System.nanoTime(), null));
        stats.recordBuffered();
    }

    /**
     * A place in the publication order for a message sent at once (nothing held waits): where {@link #holdFailed}
     * puts it if its send fails, ahead of the messages held since. Lock-free: taken on every publish.
     */
    long place() {
        return published.getAndIncrement();
    }

    /**
     * Holds a message sent at once whose send failed, at the {@link #place} it took when it was published and with
     * that age: messages published after it and held meanwhile (since an earlier failure) stay behind it.
     */
    void holdFailed(long place, Outgoing outgoing, long publishedAtNanos) {
        synchronized (this) {
            if (capacity == 0 || closed) {
                stats.recordDropped();
            } else {
                add(new Held(place, laneOf.applyAsInt(outgoing), outgoing, publishedAtNanos, null));
                stats.recordBuffered();
            }
        }
        failDroppedRequests();
    }

    /** Holds again a message whose resend failed, at its place among those held and with its first age. */
    void holdAgain(Held message) {
        synchronized (this) {
            if (closed) {
                drop(message, "the link closed");
            } else {
                add(message);
            }
        }
        failDroppedRequests();
    }

    private void add(Held message) {
        message.outgoing().onHeld();
        held.put(message.sequence(), message);
        heldPerLane.merge(message.lane(), 1, Integer::sum);
        waiting.add(message.lane());
        if (held.size() > capacity) {
            Held oldest = held.pollFirstEntry().getValue();
            taken(oldest);
            if (!heldPerLane.containsKey(oldest.lane()) && !drained.contains(oldest.lane())) {
                // Nothing of its lane is held or in flight any more: the next message of that lane may go at once.
                waiting.remove(oldest.lane());
            }
            drop(oldest, "more messages were held than OUTAGE_BUFFER_SIZE allows");
        }
        countHeld();
    }

    /** A message left {@link #held} (under the lock). */
    private void taken(Held message) {
        heldPerLane.computeIfPresent(message.lane(), (lane, count) -> count == 1 ? null : count - 1);
    }

    /**
     * A send of {@code outgoing} failed: its lane is not drained until {@link #resume} (the next retry), while the
     * other lanes are, and what is published to it meanwhile is held behind it.
     */
    synchronized void pause(Outgoing outgoing) {
        paused.add(laneOf.applyAsInt(outgoing));
    }

    /** The retry is due: every lane is drained again. */
    synchronized void resume() {
        paused.clear();
    }

    /**
     * Lanes still waiting are those holding a message, and those {@code drainedNow} took messages from (under the
     * lock).
     */
    private void keepWaiting(Set<Integer> drainedNow) {
        drained = drainedNow;
        waiting.removeIf(lane -> !drainedNow.contains(lane) && !heldPerLane.containsKey(lane));
    }

    private void countHeld() {
        stats.recordHeld(held.size(), capacity);
    }

    /**
     * Holds the message when Redis is unreachable or messages held before it still wait to be sent (sent now, it
     * would overtake them); checked under the lock so that a drain after a reconnect cannot miss it.
     */
    boolean holdIfWaiting(BooleanSupplier unreachable, Outgoing outgoing) {
        // Nothing held, Redis reachable: the common case, decided without working out the message's lane (a slot's
        // hash on a Redis Cluster) on every publish.
        if (waiting.isEmpty() && !unreachable.getAsBoolean()) {
            return false;
        }
        int lane = laneOf.applyAsInt(outgoing);
        if (!waiting.contains(lane) && !unreachable.getAsBoolean()) {
            return false;
        }
        synchronized (this) {
            if (!waiting.contains(lane) && !unreachable.getAsBoolean()) {
                return false;
            }
            holdHeld(lane, outgoing);
        }
        failDroppedRequests();
        return true;
    }

    /**
     * Queues a request behind the held messages of its lane that still wait to be sent, or returns {@code null} when
     * none wait and it may go at once. Its future completes when it is sent.
     */
    CompletableFuture<Void> queueIfWaiting(BooleanSupplier unreachable, Publish request) {
        if (waiting.isEmpty()) {
            return null;
        }
        int lane = laneOf.applyAsInt(request);
        if (!waiting.contains(lane)) {
            return null;
        }
        CompletableFuture<Void> sent;
        synchronized (this) {
            if (!waiting.contains(lane)) {
                return null;
            }
            if (unreachable.getAsBoolean() || closed) {
                // Lost again since the caller looked: queued now, it would wait for the next reconnect and go stale.
                return CompletableFuture.failedFuture(new ClusterUnavailableException("Redis is unreachable", null));
            }
            sent = new CompletableFuture<>();
            add(new Held(published.getAndIncrement(), lane, request, System.nanoTime(), sent));
        }
        failDroppedRequests();
        return sent;
    }

    /**
     * Takes every message still young enough to send, but those of {@link #pause paused} lanes; the too old ones are
     * dropped. A lane's messages are held behind those taken until a drain finds none of its own left to send.
     */
    List<Held> drain() {
        return drain(Integer.MAX_VALUE);
    }

    /**
     * Takes the oldest {@code max} messages still young enough to send (there is room for no more), but those of
     * {@link #pause paused} lanes, dropping the too old ones met on the way, of any lane; the rest stays held, in
     * order. A lane's messages are held behind those taken until a drain finds none of its own left to send.
     */
    List<Held> drain(int max) {
        List<Held> fresh;
        synchronized (this) {
            long now = System.nanoTime();
            fresh = new ArrayList<>(Math.min(max, held.size()));
            Set<Integer> lanesTaken = new HashSet<>();
            // Ages grow with the sequence (a message held again keeps both, one whose send failed has its publication's),
            // so the too old ones come first; each is checked all the same.
            for (Iterator<Held> it = held.values().iterator(); fresh.size() < max && it.hasNext(); ) {
                Held message = it.next();
                boolean tooOld = now - message.heldAtNanos() > maxAgeNanos;
                if (!tooOld && paused.contains(message.lane())) {
                    continue;
                }
                it.remove();
                taken(message);
                if (tooOld) {
                    drop(message, "Redis was unreachable for longer than OUTAGE_BUFFER_AGE");
                } else {
                    fresh.add(message);
                    lanesTaken.add(message.lane());
                }
            }
            countHeld();
            keepWaiting(lanesTaken);
        }
        failDroppedRequests();
        return fresh;
    }

    /**
     * Fails the queued requests (Redis is lost again): the nodes will not answer them, and sent on the next
     * reconnect they would ask for what nobody waits for any more.
     */
    void failRequests() {
        synchronized (this) {
            for (Iterator<Map.Entry<Long, Held>> it = held.entrySet().iterator(); it.hasNext(); ) {
                Held message = it.next().getValue();
                if (message.isRequest()) {
                    it.remove();
                    taken(message);
                    drop(message, "Redis was lost before the request could be sent");
                }
            }
            countHeld();
            keepWaiting(Set.of());
        }
        failDroppedRequests();
    }

    /**
     * Drops everything for good (the link closes): held messages are counted as dropped, queued requests fail, and
     * what a send still in flight would hold again is dropped too. Returns how many held messages went.
     */
    int dropAll(String why) {
        int count;
        synchronized (this) {
            closed = true;
            count = (int) held.values().stream().filter(message -> !message.isRequest()).count();
            held.values().forEach(message -> drop(message, why));
            held.clear();
            heldPerLane.clear();
            paused.clear();
            drained = Set.of();
            countHeld();
            waiting.clear();
        }
        failDroppedRequests();
        return count;
    }

    /** Called holding the lock: a request's failure waits for {@link #failDroppedRequests}. */
    private void drop(Held message, String why) {
        if (message.isRequest()) {
            failures.add(() -> message.request().completeExceptionally(new ClusterUnavailableException(why, null)));
        } else {
            stats.recordDropped();
        }
    }

    /** Runs the failures of the requests dropped so far; called without the lock. */
    private void failDroppedRequests() {
        List<Runnable> due;
        synchronized (this) {
            if (failures.isEmpty()) {
                return;
            }
            due = failures;
            failures = new ArrayList<>();
        }
        due.forEach(Runnable::run);
    }

    synchronized int size() {
        return held.size();
    }
}
