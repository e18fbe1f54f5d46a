package io.realtime.cluster.recovery;

import io.realtime.cluster.BroadcastOptions;
import io.realtime.cluster.ClusterPacket;

import java.util.Optional;
import java.util.function.Consumer;

/**
 * Connection state recovery for one namespace (socket.io's {@code persistSession}/{@code restoreSession} and the
 * offsets of {@code addOffsetIfNecessary}): every event that can be replayed gets an offset, a disconnected socket
 * leaves its session, and a client that comes back with the session's pid and its last offset gets the session
 * and what it missed.
 *
 * <p>Recording a packet and handing it to its recipients happen as one step, and so do restoring a session and
 * attaching the recovered socket: a packet either is replayed or reaches the recovered socket live, never both and
 * never neither.
 */
public interface SessionRecovery {

    /**
     * Sends {@code packet} through {@code deliver}: with its offset as a new last argument when it can be replayed
     * (not volatile; broadcasts with acks never come here), as it is otherwise.
     */
    void broadcast(ClusterPacket packet, BroadcastOptions opts, Consumer<ClusterPacket> deliver);

    /** Keeps the session of a socket that went away for a reason socket.io recovers from. */
    void persist(SessionState session);

    /**
     * Takes the session {@code pid} (at most once) with the packets after {@code offset} that its rooms select, and
     * runs {@code attach} with it before any later packet is recorded. Empty when the pid is unknown or expired, or
     * the offset is unknown or no longer held: the client then gets a new session, never part of one.
     */
    Optional<RecoveredSession> restore(String pid, String offset, Consumer<RecoveredSession> attach);
}
