package io.realtime.cluster;

/** Which Redis protocol the cluster speaks ({@code REDIS_ADAPTER}). */
public enum TransportKind {
    /** {@code PUBLISH}/{@code PSUBSCRIBE}, Node's {@code createAdapter} and the emitter: every node gets every broadcast. */
    CLASSIC("classic"),
    /** Redis 7 {@code SPUBLISH}/{@code SSUBSCRIBE}, Node's {@code createShardedAdapter}: room traffic only where the room is. */
    SHARDED("sharded"),
    /**
     * Redis Streams, {@code @socket.io/redis-streams-adapter} 0.3: broadcasts are stream entries, so connection state
     * recovery works across the cluster.
     */
    STREAMS("streams");

    private final String wireName;

    TransportKind(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
