package io.realtime.cluster.recovery;

import io.realtime.cluster.BroadcastOptions;
import io.realtime.cluster.ClusterPacket;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Connection state recovery for one namespace (socket.io's {@code persistSession}/{@code restoreSession} and the
 * offsets of {@code addOffsetIfNecessary}): every event that can be replayed gets an offset, a disconnected socket
 * leaves its session, and a client that comes back with the session's pid and its last offset gets the session
 * and what it missed.
 *
 * <p>Choosing a packet's recipients and attaching a recovered socket are ordered by one lock, and packets reach a
 * socket in the order of their offsets: a packet either is replayed or reaches the recovered socket live, never both
 * and never neither. Over the cluster's log the sending happens outside the lock (one reader thread sends in log
 * order); in memory it still happens under it.
 */
public interface SessionRecovery {

    /**
     * Sends {@code packet}: with its offset as a new last argument when it can be replayed (not volatile; broadcasts
     * with acks never come here), as it is otherwise. {@code select} chooses the recipients of the packet it is
     * given (under the lock) and returns what sends it to them, in offset order. A recovery
     * over a cluster's log appends the packet to the log instead and it comes back through {@link #delivered}; it
     * uses {@code select} only when the log cannot be reached (the packet then goes out without an offset).
     */
    void broadcast(ClusterPacket packet, BroadcastOptions opts, Function<ClusterPacket, Runnable> select);

    /**
     * A packet read back from the cluster's log at {@code offset}, in log order, from one thread: sent as
     * {@link #broadcast} sends, with that offset. Only recoveries over a log are given these.
     */
    default void delivered(String offset, ClusterPacket packet, BroadcastOptions opts, Function<ClusterPacket, Runnable> select) {
        throw new UnsupportedOperationException("this recovery assigns its own offsets");
    }

    /** Keeps the session of a socket that went away for a reason socket.io recovers from. */
    void persist(SessionState session);

    /**
     * Whether the session of a connected socket is kept already ({@link #opened}), so that it survives the death of
     * its node; the socket then reports its state at connect and when its rooms or data change.
     */
    default boolean keepsLiveSessions() {
        return false;
    }

    /** A recoverable socket is connected, or its rooms or data changed ({@link #keepsLiveSessions} only). */
    default void opened(SessionState session) {
    }

    /** A socket ended for a reason that leaves no session: whatever was kept for it goes. */
    default void discarded(String pid) {
    }

    /**
     * Takes the session {@code pid} (at most once) with the packets after {@code offset} that its rooms select, and
     * runs {@code attach} with it, on {@code attachOn} (or at once, on the caller's thread, when nothing had to be
     * fetched) and before any later packet is sent. Completes refused, with the reason, when the pid is unknown,
     * expired or still connected, or the offset is unknown or no longer held: the client then gets a new session,
     * never part of one. Never waits on the caller's thread.
     */
    CompletionStage<RestoreResult> restore(String pid, String offset, Executor attachOn, Consumer<RecoveredSession> attach);
}
