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
 * @param maxLogBytes              the most heap, in estimated bytes, one namespace's in-memory log may take (default
 *                                 {@link #DEFAULT_MAX_LOG_BYTES}); past it the oldest packets go, as past
 *                                 {@code maxPackets}. The count alone let a client that sends the largest messages
 *                                 (1 MB) fast fill gigabytes within {@code maxDisconnectionDuration}. Not used over
 *                                 the streams transport, whose log is the Redis stream.
 */
public record RecoveryOptions(Duration maxDisconnectionDuration, int maxPackets, int maxSessions, long maxLogBytes) {

    private static final int DEFAULT_MAX_SESSIONS = 20_000;

    /**
     * 32 MiB: far more than 10 000 ordinary events take (at 1 KB each, 10 MB), so in normal traffic the count is
     * the bound that holds, yet still 16 of the largest messages (1 MB, counted as 2 MB of characters); and the
     * gateway's four namespaces with full logs take 128 MiB, a fifth of the heap of its 1 GiB pods.
     */
    public static final long DEFAULT_MAX_LOG_BYTES = 32L << 20;

    public static final RecoveryOptions DEFAULTS = new RecoveryOptions(Duration.ofMinutes(2), 10_000, DEFAULT_MAX_SESSIONS);

    /** With the default {@code maxSessions} and {@code maxLogBytes}. */
    public RecoveryOptions(Duration maxDisconnectionDuration, int maxPackets) {
        this(maxDisconnectionDuration, maxPackets, DEFAULT_MAX_SESSIONS);
    }

    /** With the default {@code maxLogBytes}. */
    public RecoveryOptions(Duration maxDisconnectionDuration, int maxPackets, int maxSessions) {
        this(maxDisconnectionDuration, maxPackets, maxSessions, DEFAULT_MAX_LOG_BYTES);
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
        if (maxLogBytes < 1) {
            throw new IllegalArgumentException("maxLogBytes must be at least 1");
        }
    }

    /** These options with another {@code maxLogBytes}. */
    public RecoveryOptions withMaxLogBytes(long value) {
        return new RecoveryOptions(maxDisconnectionDuration, maxPackets, maxSessions, value);
    }
}
