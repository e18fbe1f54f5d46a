package io.realtime.cluster;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Running totals of the cluster transport, for metrics: cheap to update from any thread. The {@code record...}
 * methods are for transports; applications read.
 */
public final class ClusterStats {

    private final String transport;
    private final LongAdder published = new LongAdder();
    private final LongAdder received = new LongAdder();
    private final LongAdder bytesReceived = new LongAdder();
    private final LongAdder buffered = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder publishFailures = new LongAdder();
    private final LongAdder publishesUnconfirmed = new LongAdder();
    private final LongAdder undelivered = new LongAdder();
    private final LongAdder requestTimeouts = new LongAdder();
    private final LongAdder requestFailures = new LongAdder();
    private final LongAdder reconnects = new LongAdder();
    private final LongAdder malformed = new LongAdder();
    private final LongAdder topologyRefreshes = new LongAdder();
    private final AtomicLong subscriptions = new AtomicLong();
    private final LongAdder requestsRefused = new LongAdder();
    private final LongAdder handlerFailures = new LongAdder();
    private final AtomicInteger workQueued = new AtomicInteger();
    private volatile long held;
    private volatile long heldLimit;

    public ClusterStats(String transport) {
        this.transport = transport;
    }

    /** The transport these totals are of ({@code classic}, {@code sharded}). */
    public String transport() {
        return transport;
    }

    /** Messages published to Redis. */
    public long published() {
        return published.sum();
    }

    /** Messages received from Redis (broadcasts, requests and responses). */
    public long received() {
        return received.sum();
    }

    /** Bytes of the messages received from Redis (payloads, without the channel names). */
    public long bytesReceived() {
        return bytesReceived.sum();
    }

    /** Broadcasts kept while Redis was unreachable. */
    public long buffered() {
        return buffered.sum();
    }

    /** Broadcasts given up during an outage: the buffer was full, or they were too old when Redis came back. */
    public long dropped() {
        return dropped.sum();
    }

    /** Messages held now, waiting for Redis (broadcasts, and requests queued behind them). */
    public long held() {
        return held;
    }

    /** The most messages the node holds during an outage ({@code OUTAGE_BUFFER_SIZE}); 0 on a single node. */
    public long heldLimit() {
        return heldLimit;
    }

    /**
     * Publishes Redis did not take (refused, timed out, or the connection was lost): each is held again, failed, or
     * (a broadcast that timed out) counted in {@link #publishesUnconfirmed}.
     */
    public long publishFailures() {
        return publishFailures.sum();
    }

    /**
     * Broadcasts whose publish timed out on a single Redis's (or Sentinel's) connection that stayed up (on a Redis
     * Cluster they are held and sent again): lettuce had written them, so Redis runs them
     * when it catches up (a slow Redis: they arrive late) unless they were lost on the way (a connection that died
     * without a word). Never sent again, since a copy would arrive beside the first, so each may be lost: at most
     * once, as with Node's adapter. Each is counted once, and among {@link #publishFailures} too.
     */
    public long publishesUnconfirmed() {
        return publishesUnconfirmed.sum();
    }

    /**
     * Namespace-wide messages that Redis took but handed to fewer subscribers than were counted last (sharded
     * transport): some node missed them, as in the seconds of a failover before every node has subscribed again on
     * the promoted replica. This node's own subscription is among those counted though it needs none of its own
     * messages, so the figure is an upper bound of what the other nodes missed.
     */
    public long undelivered() {
        return undelivered.sum();
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

    /** Messages from Redis that could not be read (and were ignored). */
    public long malformed() {
        return malformed.sum();
    }

    /** Channels and patterns this node is subscribed to now. */
    public long subscriptions() {
        return subscriptions.get();
    }

    /** Times the Redis Cluster topology was refreshed (periodically or on MOVED/ASK/reconnects). */
    public long topologyRefreshes() {
        return topologyRefreshes.sum();
    }

    /**
     * Other nodes' requests (fetchSockets, socket ids, allRooms) this node left unanswered because the cluster's work
     * queue was full: each asker waited until its timeout (a Node.js asker then fails with "timeout reached", ours get
     * what the others answered).
     */
    public long requestsRefused() {
        return requestsRefused.sum();
    }

    /** Tasks of the cluster's work queue ({@code ClusterWork}: answers, replays) running or waiting now. */
    public long workQueued() {
        return workQueued.get();
    }

    public void recordPublished() {
        published.increment();
    }

    public void recordReceived(int bytes) {
        received.increment();
        bytesReceived.add(bytes);
    }

    public void recordBuffered() {
        buffered.increment();
    }

    public void recordDropped() {
        dropped.increment();
    }

    public void recordHeld(long now, long limit) {
        held = now;
        heldLimit = limit;
    }

    public void recordPublishFailure() {
        publishFailures.increment();
    }

    public void recordPublishUnconfirmed() {
        publishesUnconfirmed.increment();
    }

    public void recordUndelivered() {
        undelivered.increment();
    }

    public void recordRequestTimeout() {
        requestTimeouts.increment();
    }

    public void recordRequestFailure() {
        requestFailures.increment();
    }

    public void recordReconnect() {
        reconnects.increment();
    }

    public void recordMalformed() {
        malformed.increment();
    }

    public void recordTopologyRefresh() {
        topologyRefreshes.increment();
    }

    /** Messages read well that this node failed to apply (its own bug or an application handler's, not the sender's). */
    public long handlerFailures() {
        return handlerFailures.sum();
    }

    public void recordHandlerFailure() {
        handlerFailures.increment();
    }

    public void recordRequestRefused() {
        requestsRefused.increment();
    }

    public void recordWorkQueued(int delta) {
        workQueued.addAndGet(delta);
    }

    public void recordSubscriptions(int delta) {
        subscriptions.addAndGet(delta);
    }
}
