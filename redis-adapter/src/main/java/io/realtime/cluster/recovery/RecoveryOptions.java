package io.realtime.cluster.recovery;

import java.time.Duration;

/**
 * How long sessions are kept and how much is kept to replay them.
 *
 * @param maxDisconnectionDuration how long a disconnected socket's session can be recovered (socket.io's
 *                                 {@code connectionStateRecovery.maxDisconnectionDuration}; default 2 minutes);
 *                                 also how long a packet stays in the log
 * @param maxPackets               the most packets one namespace's log holds (default 10 000): a client whose
 *                                 offset was dropped gets a new session rather than a partial replay
 * @param maxSessions              the most sessions one namespace keeps in memory (default 20 000, a node's
 *                                 connections): past it the oldest is forgotten, so that clients that connect and
 *                                 drop over and over cannot fill the heap within {@code maxDisconnectionDuration}.
 *                                 Sessions kept in Redis (the streams transport) expire there instead.
 */
public record RecoveryOptions(Duration maxDisconnectionDuration, int maxPackets, int maxSessions) {

    private static final int DEFAULT_MAX_SESSIONS = 20_000;

    public static final RecoveryOptions DEFAULTS = new RecoveryOptions(Duration.ofMinutes(2), 10_000, DEFAULT_MAX_SESSIONS);

    /** With the default {@code maxSessions}. */
    public RecoveryOptions(Duration maxDisconnectionDuration, int maxPackets) {
        this(maxDisconnectionDuration, maxPackets, DEFAULT_MAX_SESSIONS);
    }

    public RecoveryOptions {
        if (maxSessions < 1) {
            throw new IllegalArgumentException("maxSessions must be at least 1");
        }
        if (maxDisconnectionDuration == null || maxDisconnectionDuration.isNegative() || maxDisconnectionDuration.isZero()) {
            throw new IllegalArgumentException("maxDisconnectionDuration must be positive");
        }
        if (maxPackets < 1) {
            throw new IllegalArgumentException("maxPackets must be at least 1");
        }
    }
}
