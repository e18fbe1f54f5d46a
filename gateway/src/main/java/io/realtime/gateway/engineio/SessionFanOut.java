package io.realtime.gateway.engineio;

import io.netty.channel.EventLoop;
import io.netty.channel.SingleThreadIoEventLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * Sends the same packets to many sessions, as a broadcast does: one task per event loop instead of one per
 * session; on each loop the WebSocket frames are built once and every connection writes the same bytes.
 *
 * <p>The connections written are flushed together once the loop has run every task waiting on it (Netty's tasks
 * after an event loop iteration): broadcasts that reach a loop together, as when Redis hands over several in one read
 * or the loop falls behind, go to a connection in one system call. A connection flushed less than the flush window
 * ago waits for the rest of that window, and what reaches it meanwhile goes along in the same send: engine.io holds
 * a socket's packets while its last write is in flight, to the same end. The send is most of what a delivery costs
 * (the kernel's share of a fan-out is three quarters), so a connection receiving a burst costs the node one send per
 * window, not one per broadcast, while one that has had nothing for a window gets its broadcast at once. Each session
 * still receives its packets in the order they were sent to it from one thread.
 */
public final class SessionFanOut {

    private static final Logger log = LoggerFactory.getLogger(SessionFanOut.class);

    private final Map<EventLoop, PendingFlush> pendingFlushes = new ConcurrentHashMap<>();
    private final long windowNanos;

    /** Whether broadcasts carry recovery offsets, which each connection must get in order ({@link OffsetOrder}). */
    private volatile boolean offsetOrdered;

    /** @param flushWindow how long after its last broadcast flush a connection waits to be flushed again; zero: never */
    public SessionFanOut(Duration flushWindow) {
        if (flushWindow.isNegative()) {
            throw new IllegalArgumentException("flushWindow must not be negative: " + flushWindow);
        }
        this.windowNanos = flushWindow.toNanos();
    }

    /**
     * What a broadcast goes to: a session, or a socket on one, which may have ended since it was chosen (asked on
     * the session's loop, just before the write).
     */
    public interface Recipient {
        EngineSession engineSession();

        boolean receivesBroadcasts();
    }

    /**
     * Recipients grouped by event loop, each group in the order given; immutable, so the grouping of a room's
     * recipients is made once and kept while they stay the same, not redone per broadcast.
     */
    public static final class Groups {
        private final List<LoopShare> shares;

        private Groups(List<LoopShare> shares) {
            this.shares = shares;
        }

        public boolean isEmpty() {
            return shares.isEmpty();
        }
    }

    /** Connection state recovery is on: broadcasts carry offsets, and each connection gets them in order. */
    public void keepOffsetOrder() {
        offsetOrdered = true;
    }

    /**
     * Sends to every recipient that still receives broadcasts; {@code sentOnLoop} hears, once per event loop and on
     * it, how many did.
     */
    public void send(Groups groups, List<EnginePacket> packets, IntConsumer sentOnLoop) {
        if (offsetOrdered) {
            for (LoopShare share : groups.shares) {
                OffsetOrder.run(share.loop, () -> sendOnLoop(share, packets, sentOnLoop));
            }
            return;
        }
        LoopShare onThisLoop = null;
        for (LoopShare share : groups.shares) {
            if (share.loop.inEventLoop()) {
                onThisLoop = share;
            } else {
                share.loop.execute(() -> sendOnLoop(share, packets, sentOnLoop));
            }
        }
        // The other loops are already at work; this thread's own share goes last.
        if (onThisLoop != null) {
            sendOnLoop(onThisLoop, packets, sentOnLoop);
        }
    }

    /**
     * The recipients grouped by event loop. A node has a handful of loops, so a scan of the groups found so far (the
     * last one first: recipients of one loop often come in runs) costs less per recipient than a map.
     */
    public static Groups group(List<? extends Recipient> recipients) {
        List<LoopShare> shares = new ArrayList<>(4);
        LoopShare last = null;
        for (int i = 0, n = recipients.size(); i < n; i++) {
            Recipient recipient = recipients.get(i);
            EventLoop loop = recipient.engineSession().eventLoop();
            if (last == null || last.loop != loop) {
                last = null;
                for (int j = 0, m = shares.size(); j < m; j++) {
                    if (shares.get(j).loop == loop) {
                        last = shares.get(j);
                        break;
                    }
                }
                if (last == null) {
                    last = new LoopShare(loop, new ArrayList<>(Math.max(8, n / 4)));
                    shares.add(last);
                }
            }
            last.recipients.add(recipient);
        }
        // Kept as long as a room's membership stays the same: immutable, and no larger than it needs to be.
        List<LoopShare> kept = new ArrayList<>(shares.size());
        for (LoopShare share : shares) {
            kept.add(new LoopShare(share.loop, List.copyOf(share.recipients)));
        }
        return new Groups(List.copyOf(kept));
    }

    private record LoopShare(EventLoop loop, List<Recipient> recipients) {
    }

    private void sendOnLoop(LoopShare share, List<EnginePacket> packets, IntConsumer sentOnLoop) {
        PendingFlush flush = pendingFlushes.computeIfAbsent(share.loop, l -> new PendingFlush(l, windowNanos));
        WebSocketFrames.Shared frames = new WebSocketFrames.Shared(packets);
        // One reading of the clock for the whole loop's share: the windows are milliseconds, a share microseconds.
        long now = windowNanos == 0 ? 0 : System.nanoTime();
        List<Recipient> recipients = share.recipients;
        int sent = 0;
        EngineSession reporter = null;
        try {
            for (int i = 0, n = recipients.size(); i < n; i++) {
                Recipient recipient = recipients.get(i);
                if (!recipient.receivesBroadcasts()) {
                    continue;
                }
                EngineSession session = recipient.engineSession();
                reporter = session;
                sent++;
                try {
                    if (session.writeShared(frames)) {
                        flush.add(session, now);
                    }
                } catch (RuntimeException e) {
                    // One broken connection must not cost the others their copy.
                    log.warn("session {}: broadcast not delivered: {}", session.id(), e.toString());
                }
            }
            if (frames.framesHandedOut() > 0) {
                // Counted once per loop rather than per recipient: every session of a server reports to one observer.
                reporter.observer().bytesSent(frames.framesHandedOut(), frames.bytesHandedOut());
            }
        } finally {
            frames.release();
        }
        if (sent > 0) {
            sentOnLoop.accept(sent);
        }
    }

    /**
     * The WebSocket sessions of one loop written since their last flush, each once: those due now, flushed after the
     * loop's iteration, and those inside their flush window, flushed when the window of the first of them ends. Only
     * touched on that loop.
     */
    private static final class PendingFlush {
        private final EventLoop loop;
        private final long windowNanos;
        private final Batch due = new Batch();
        private final Batch held = new Batch();

        PendingFlush(EventLoop loop, long windowNanos) {
            this.loop = loop;
            this.windowNanos = windowNanos;
        }

        void add(EngineSession session, long now) {
            long windowLeft = windowNanos == 0 ? 0 : session.sharedFlushedAt() + windowNanos - now;
            if (windowLeft > 0) {
                // Those that join later wait no longer than this first one's window: at most a window each.
                if (held.add(session)) {
                    loop.schedule(held, windowLeft, TimeUnit.NANOSECONDS);
                }
            } else if (due.add(session)) {
                // After the tasks already waiting, not as one of them: a flush queued as a task ran ahead of a
                // broadcast queued a moment later, which then cost every connection a send of its own. An I/O loop
                // runs these after each iteration; a DefaultEventLoop would only at its shutdown.
                if (loop instanceof SingleThreadIoEventLoop iterating) {
                    iterating.executeAfterEventLoopIteration(due);
                } else {
                    loop.execute(due);
                }
            }
        }
    }

    /** Sessions flushed together by one run. */
    private static final class Batch implements Runnable {
        private List<EngineSession> sessions = new ArrayList<>();
        private List<EngineSession> flushing = new ArrayList<>();

        /** @return whether this is the first session since the last run: the run must be put on the loop */
        boolean add(EngineSession session) {
            sessions.add(session);
            return sessions.size() == 1;
        }

        @Override
        public void run() {
            // A flush can close a session, whose disconnect listeners may broadcast on this very loop: what they
            // write goes to a fresh list and a flush of its own, never into the list being walked.
            List<EngineSession> batch = sessions;
            sessions = flushing;
            flushing = batch;
            long now = System.nanoTime();
            try {
                for (EngineSession session : batch) {
                    try {
                        session.flushWrites(now);
                    } catch (RuntimeException e) {
                        log.warn("session {}: flush failed: {}", session.id(), e.toString());
                    }
                }
            } finally {
                batch.clear();
            }
        }
    }
}
