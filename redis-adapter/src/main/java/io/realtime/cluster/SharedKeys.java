package io.realtime.cluster;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * Keys every node of a cluster reads and writes, in the cluster's Redis (a single server, Sentinel's primary or the
 * slot's primary of a Redis Cluster) over the cluster's own connection: its timeouts, its failing fast while Redis
 * is unreachable ({@link ClusterUnavailableException}), no connection or thread of its own. Never waits.
 */
public interface SharedKeys {

    /** {@code GET key}: the value, or null when there is none. */
    CompletionStage<String> get(String key);

    /** {@code SET key value PX ttl}. */
    CompletionStage<Void> set(String key, String value, Duration ttl);
}
