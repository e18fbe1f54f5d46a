package io.realtime.cluster.recovery;

import io.realtime.cluster.BroadcastOptions;
import io.realtime.cluster.ClusterPacket;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One namespace's recovery on a single node, as socket.io-adapter's in-memory adapter does it: a bounded log of
 * recent packets (by count, by estimated bytes and by age) and the sessions of sockets that went away.
 *
 * <p>Offsets are the decimal sequence numbers of this log, counted from a random start so that an offset another
 * log wrote (before the node restarted: socket.io-client keeps its last offset even when it gets a new session) is
 * not taken for one of this log's. The log holds consecutive numbers, so an offset is found by subtraction; an
 * offset that is not a plain number of at most 18 digits, was never written here, or is followed by numbers the log
 * no longer holds, is unknown. One lock orders recording, choosing recipients and handing the
 * packet over with restoring and attaching; it is only taken when recovery is on. (Handing over under the lock is
 * what keeps a socket's packets in offset order here: a queue emptied outside it was tried and put a socket's own
 * event behind later broadcasts when two sockets connected at once.)
 */
public final class InMemorySessionRecovery implements SessionRecovery {

    /** @param size {@link PacketSize#estimate}, counted against {@link RecoveryOptions#maxLogBytes} */
    private record Entry(long seq, long at, ClusterPacket packet, BroadcastOptions opts, long size) {
    }

    private record Kept(SessionState state, long at) {
    }

    private final RecoveryOptions options;
    private final Clock clock;
    private final ArrayDeque<Entry> log = new ArrayDeque<>();
    /** In the order they were kept, which is also the order they expire. */
    private final Map<String, Kept> sessions = new LinkedHashMap<>();
    /** The first number this log gives; numbers below it were never written here. */
    private final long firstSeq;
    private long nextSeq;
    /** The sizes of the entries in {@link #log}. */
    private long logBytes;

    public InMemorySessionRecovery(RecoveryOptions options) {
        this(options, Clock.systemUTC());
    }

    public InMemorySessionRecovery(RecoveryOptions options, Clock clock) {
        // Below 2^50: offsets stay exact as JavaScript numbers, with room for 2^52 more.
        this(options, clock, ThreadLocalRandom.current().nextLong(1, 1L << 50));
    }

    InMemorySessionRecovery(RecoveryOptions options, Clock clock, long firstSeq) {
        this.options = options;
        this.clock = clock;
        this.firstSeq = firstSeq;
        this.nextSeq = firstSeq;
    }

    @Override
    public void broadcast(ClusterPacket packet, BroadcastOptions opts, Function<ClusterPacket, Runnable> select) {
        if (opts.volatile_()) {
            select.apply(packet).run();
            return;
        }
        // Counted before the lock: the estimate walks the whole packet.
        long size = PacketSize.estimate(packet, options.maxLogBytes());
        synchronized (this) {
            long now = clock.millis();
            long seq = nextSeq++;
            List<Object> args = new ArrayList<>(packet.args().size() + 1);
            args.addAll(packet.args());
            args.add(Long.toString(seq));
            ClusterPacket withOffset = new ClusterPacket(packet.event(), args);
            log.addLast(new Entry(seq, now, withOffset, opts, size));
            logBytes += size;
            // A packet past the whole budget empties the log (itself too): it holds consecutive numbers, so what is
            // older than a dropped packet could serve no client any more.
            trim(now);
            select.apply(withOffset).run();
        }
    }

    @Override
    public synchronized void persist(SessionState session) {
        long now = clock.millis();
        expire(now);
        sessions.remove(session.pid());
        sessions.put(session.pid(), new Kept(session, now));
        Iterator<Kept> oldest = sessions.values().iterator();
        while (sessions.size() > options.maxSessions()) {
            oldest.next();
            oldest.remove();
        }
    }

    /** Everything is at hand: {@code attach} runs at once, on the caller's thread. */
    @Override
    public CompletionStage<RestoreResult> restore(String pid, String offset, Executor attachOn,
                                                  Consumer<RecoveredSession> attach) {
        return CompletableFuture.completedFuture(restoreNow(pid, offset, attach));
    }

    private RestoreResult restoreNow(String pid, String offset, Consumer<RecoveredSession> attach) {
        long seq = parse(offset);
        if (seq < 0) {
            return RestoreResult.refused(RestoreRefusal.MALFORMED_OFFSET);
        }
        if (pid == null) {
            return RestoreResult.refused(RestoreRefusal.UNKNOWN_SESSION);
        }
        synchronized (this) {
            long now = clock.millis();
            expire(now);
            trim(now);
            Kept kept = sessions.get(pid);
            if (kept == null) {
                return RestoreResult.refused(RestoreRefusal.UNKNOWN_SESSION);
            }
            Entry first = log.peekFirst();
            // The client missed packets after its offset only (it gets a socket's packets in offset order), and the
            // numbers are consecutive: it can be served exactly when every number after its offset is still held,
            // from the first one on, or, the log being empty, none was written after it. Whether the dropped ones
            // went by count, by bytes or by age makes no difference, and age cannot excuse more: a packet older than
            // maxDisconnectionDuration can have been missed by a session still within it, since a session is kept
            // from when the ping timeout noticed its dead connection (up to pingInterval + pingTimeout after the last
            // packet reached the client), and what was written to that connection meanwhile was lost.
            long held = first == null ? nextSeq : first.seq();
            if (seq < firstSeq || seq < held - 1 || seq >= nextSeq) {
                return RestoreResult.refused(RestoreRefusal.OFFSET_GONE);
            }
            sessions.remove(pid);
            List<ClusterPacket> missed = new ArrayList<>();
            Iterator<Entry> entries = log.iterator();
            long skip = seq - held + 1;
            for (long i = 0; i < skip && entries.hasNext(); i++) {
                entries.next();
            }
            while (entries.hasNext()) {
                Entry entry = entries.next();
                if (selects(entry.opts(), kept.state().rooms())) {
                    missed.add(entry.packet());
                }
            }
            RecoveredSession recovered = new RecoveredSession(kept.state(), missed);
            attach.accept(recovered);
            return RestoreResult.recovered(recovered);
        }
    }

    /** The number of sessions kept now (for tests and metrics). */
    public synchronized int sessionCount() {
        expire(clock.millis());
        return sessions.size();
    }

    /** socket.io-adapter's {@code shouldIncludePacket}: in one of the rooms (or everyone's), in none of the excepted. */
    public static boolean selects(BroadcastOptions opts, List<String> sessionRooms) {
        boolean included = opts.rooms().isEmpty();
        for (String room : sessionRooms) {
            if (opts.except().contains(room)) {
                return false;
            }
            included |= opts.rooms().contains(room);
        }
        return included;
    }

    /** The sequence number an offset names, or -1 when it is not one this log could have written. */
    static long parse(String offset) {
        if (offset == null || offset.isEmpty() || offset.length() > 18) {
            return -1;
        }
        for (int i = 0; i < offset.length(); i++) {
            char c = offset.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
        }
        return Long.parseLong(offset);
    }

    private void trim(long now) {
        long oldest = now - options.maxDisconnectionDuration().toMillis();
        while (!log.isEmpty() && (log.size() > options.maxPackets() || logBytes > options.maxLogBytes()
                || log.peekFirst().at() < oldest)) {
            logBytes -= log.removeFirst().size();
        }
    }

    private void expire(long now) {
        long oldest = now - options.maxDisconnectionDuration().toMillis();
        Iterator<Kept> kept = sessions.values().iterator();
        while (kept.hasNext() && kept.next().at() < oldest) {
            kept.remove();
        }
    }
}
