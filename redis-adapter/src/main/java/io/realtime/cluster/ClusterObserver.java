package io.realtime.cluster;

/**
 * What the cluster reports for metrics. Called from I/O threads: implementations only count. No-op defaults.
 */
public interface ClusterObserver {

    ClusterObserver NONE = new ClusterObserver() { };

    /** A broadcast (from this node or from another) reached {@code recipients} sockets of this node. */
    default void delivered(String namespace, int recipients) {
    }

    /** A message was published to Redis; {@code nanos} until Redis acknowledged it. */
    default void published(long nanos) {
    }

    /** A cluster request ({@code fetchSockets}, {@code allRooms}, {@code serverSideEmit}, {@code broadcastAck}) got every answer. */
    default void requestCompleted(String type, long nanos) {
    }

    /** A cluster request timed out with answers missing. */
    default void requestTimedOut(String type) {
    }

    /** A message from Redis could not be read ({@code kind}: what was wrong) and was ignored. */
    default void malformedMessage(String transport, String kind) {
    }
}
