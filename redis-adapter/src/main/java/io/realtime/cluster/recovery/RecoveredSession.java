package io.realtime.cluster.recovery;

import io.realtime.cluster.ClusterPacket;

import java.util.List;

/**
 * A session found again: its state and the events its socket missed, in the order they were sent, each with its
 * offset as the last argument.
 */
public record RecoveredSession(SessionState state, List<ClusterPacket> missed) {

    public RecoveredSession {
        missed = List.copyOf(missed);
    }
}
