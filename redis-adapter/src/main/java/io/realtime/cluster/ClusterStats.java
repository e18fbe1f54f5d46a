package io.realtime.cluster;

import java.util.concurrent.atomic.LongAdder;

/** Running totals of the cluster link, for metrics: cheap to update from any thread. */
public final class ClusterStats {

    final LongAdder published = new LongAdder();
    final LongAdder received = new LongAdder();
    final LongAdder buffered = new LongAdder();
    final LongAdder dropped = new LongAdder();
    final LongAdder publishFailures = new LongAdder();
    final LongAdder requestTimeouts = new LongAdder();
    final LongAdder requestFailures = new LongAdder();
    final LongAdder reconnects = new LongAdder();

    /** Messages published to Redis. */
    public long published() {
        return published.sum();
    }

    /** Messages received from Redis (broadcasts, requests and responses). */
    public long received() {
        return received.sum();
    }

    /** Broadcasts kept while Redis was unreachable. */
    public long buffered() {
        return buffered.sum();
    }

    /** Broadcasts given up during an outage: the buffer was full, or they were too old when Redis came back. */
    public long dropped() {
        return dropped.sum();
    }

    public long publishFailures() {
        return publishFailures.sum();
    }

    /** Cluster requests (fetchSockets, serverSideEmitWithAck, allRooms, ...) that did not get every answer in time. */
    public long requestTimeouts() {
        return requestTimeouts.sum();
    }

    /** Cluster requests that failed because Redis was unreachable. */
    public long requestFailures() {
        return requestFailures.sum();
    }

    /** Times the connection to Redis came back after a loss. */
    public long reconnects() {
        return reconnects.sum();
    }
}
