package io.realtime.cluster.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.realtime.cluster.ClusterObserver;
import io.realtime.cluster.ClusterStats;
import io.realtime.cluster.RedisAdapterOptions;
import io.realtime.cluster.redis.RedisLink.Delivery;
import io.realtime.cluster.redis.RedisLink.Mode;
import io.realtime.cluster.testing.RedisClusterProcesses;
import io.realtime.cluster.testing.RedisFixture;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * On a Redis Cluster's sharded pub/sub, a shard that is down (primary and replica dead) or failing over (primary dead,
 * replica not yet promoted) delays only what is published to its own slots: broadcasts and requests to the live shards
 * go out at once, not behind the down shard's held messages and their retries, and no resend waits for the count of a
 * channel on a shard without a primary.
 */
class DeadShardHeadOfLineTest {

    /** How long a broadcast or request to a live shard may take, on a loaded machine. */
    private static final long LIVE_MILLIS = 200;

    @Test
    void broadcastsAndRequestsToALiveShardAreNotHeldBehindOnesToADeadShard() throws Exception {
        try (RedisFixture redis = RedisFixture.ownCluster(); Shards shards = new Shards(redis.cluster())) {
            ClusterStats stats = new ClusterStats("test");
            try (RedisLink link = RedisLink.connect(options(redis), stats, ClusterObserver.NONE)) {
                // Counted, as a namespace channel is when the node samples the cluster's size.
                assertThat(link.subscriberCount(Mode.SHARDED, shards.down).toCompletableFuture().get()).isEqualTo(2);

                RedisClusterProcesses cluster = redis.cluster();
                cluster.kill(shards.downPrimary);
                cluster.kill(shards.downReplica);
                await("a publish to the dead shard fails").atMost(Duration.ofSeconds(20)).until(() -> {
                    link.publish(Mode.SHARDED, shards.down, bytes("probe"), Delivery.HELD);
                    return stats.publishFailures() > 0;
                });
                await("the live nodes flag the dead primary failed").atMost(Duration.ofSeconds(20))
                        .until(() -> RedisClusterProcesses.cli(shards.livePrimary, "CLUSTER", "NODES").contains("master,fail"));

                shards.publishAlternately(link, 20);

                assertThat(stats.held()).as("the dead shard's broadcasts are still held").isPositive();
            }
        }
    }

    @Test
    void aFailoverDelaysOnlyItsOwnShardAndWhatItHeldGoesOutOnceAReplicaTakesOver() throws Exception {
        try (RedisFixture redis = RedisFixture.ownCluster(); Shards shards = new Shards(redis.cluster())) {
            ClusterStats stats = new ClusterStats("test");
            try (RedisLink link = RedisLink.connect(options(redis), stats, ClusterObserver.NONE)) {
                RedisClusterProcesses cluster = redis.cluster();
                cluster.kill(shards.downPrimary);
                // From the kill until the promotion (cluster-node-timeout 1 s) and past it.
                shards.publishAlternately(link, 25);

                assertThat(stats.publishFailures()).as("the failing shard refused publishes").isPositive();
                await("what was held for the failed-over shard is sent to its new primary").atMost(Duration.ofSeconds(20))
                        .until(() -> stats.held() == 0);
                assertThat(stats.dropped()).isZero();
            }
        }
    }

    private static RedisAdapterOptions options(RedisFixture redis) {
        return RedisAdapterOptions.builder(redis.uri()).requestTimeout(Duration.ofMillis(500)).build();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** A channel on a shard that stays up, read by a subscriber of its own, and one on another shard, to take down. */
    private static final class Shards implements AutoCloseable {

        final String live;
        final String down;
        final int livePrimary;
        final int downPrimary;
        final int downReplica;
        private final RedisClient liveClient;
        private final RedisClient downClient;
        private final Map<String, Long> receivedAt = new ConcurrentHashMap<>();

        Shards(RedisClusterProcesses cluster) {
            String liveChannel = null;
            String downChannel = null;
            int liveOwner = -1;
            int downOwner = -1;
            for (int i = 0; liveChannel == null || downChannel == null; i++) {
                String channel = "hol-" + i + "#/#";
                int owner = cluster.primaryOf(SlotHash.getSlot(channel));
                if (liveChannel == null) {
                    liveChannel = channel;
                    liveOwner = owner;
                } else if (owner != liveOwner) {
                    downChannel = channel;
                    downOwner = owner;
                }
            }
            live = liveChannel;
            down = downChannel;
            livePrimary = liveOwner;
            downPrimary = downOwner;
            downReplica = cluster.replicaOf(downPrimary);
            liveClient = RedisClient.create(RedisURI.create("127.0.0.1", livePrimary));
            downClient = RedisClient.create(RedisURI.create("127.0.0.1", downPrimary));
            StatefulRedisPubSubConnection<String, String> subscriber = liveClient.connectPubSub();
            subscriber.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void smessage(String on, String message) {
                    receivedAt.put(message, System.nanoTime());
                }
            });
            subscriber.sync().ssubscribe(live);
            // Two other nodes subscribed to the other shard's channel: a count to wait for once it is down.
            downClient.connectPubSub().sync().ssubscribe(down);
            downClient.connectPubSub().sync().ssubscribe(down);
        }

        /**
         * Every 100 ms, a broadcast to the down shard, then one to the live shard and a request behind it: each of
         * the live shard's arrives and each request is sent within {@link #LIVE_MILLIS}.
         */
        void publishAlternately(RedisLink link, int rounds) throws Exception {
            Map<String, Long> sentAt = new ConcurrentHashMap<>();
            List<CompletableFuture<Void>> requests = new ArrayList<>();
            List<Long> requestMillis = new java.util.concurrent.CopyOnWriteArrayList<>();
            for (int i = 0; i < rounds; i++) {
                link.publish(Mode.SHARDED, down, bytes("d" + i), Delivery.HELD);
                sentAt.put("b" + i, System.nanoTime());
                link.publish(Mode.SHARDED, live, bytes("b" + i), Delivery.HELD);
                long requestedAt = System.nanoTime();
                CompletableFuture<Void> request = link.publish(Mode.SHARDED, live, bytes("r" + i), Delivery.AFTER_HELD)
                        .toCompletableFuture();
                requests.add(request.whenComplete((ok, failure) ->
                        requestMillis.add((System.nanoTime() - requestedAt) / 1_000_000)));
                Thread.sleep(100);
            }
            await("every broadcast to the live shard arrives").atMost(Duration.ofSeconds(10))
                    .until(() -> receivedAt.keySet().containsAll(sentAt.keySet()));
            CompletableFuture.allOf(requests.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);

            long worstMillis = sentAt.entrySet().stream()
                    .mapToLong(sent -> (receivedAt.get(sent.getKey()) - sent.getValue()) / 1_000_000).max().orElse(0);
            assertThat(worstMillis).as("worst delay of a broadcast to a live shard, ms").isLessThan(LIVE_MILLIS);
            assertThat(requestMillis).as("delays of requests to a live shard, ms").allMatch(millis -> millis < LIVE_MILLIS);
        }

        @Override
        public void close() {
            liveClient.shutdown(Duration.ZERO, Duration.ofSeconds(1));
            downClient.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        }
    }
}
