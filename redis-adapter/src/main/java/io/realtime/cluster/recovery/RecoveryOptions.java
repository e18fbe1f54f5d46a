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
 */
public record RecoveryOptions(Duration maxDisconnectionDuration, int maxPackets) {

    public static final RecoveryOptions DEFAULTS = new RecoveryOptions(Duration.ofMinutes(2), 10_000);

    public RecoveryOptions {
        if (maxDisconnectionDuration == null || maxDisconnectionDuration.isNegative() || maxDisconnectionDuration.isZero()) {
            throw new IllegalArgumentException("maxDisconnectionDuration must be positive");
        }
        if (maxPackets < 1) {
            throw new IllegalArgumentException("maxPackets must be at least 1");
        }
    }
}
