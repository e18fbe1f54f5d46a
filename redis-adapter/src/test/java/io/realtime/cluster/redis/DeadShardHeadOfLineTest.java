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

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * On a Redis Cluster's sharded pub/sub, a shard that is gone (primary and replica dead) delays only what is published
 * to its own slots: broadcasts and requests to the live shards go out at once, not behind the dead shard's held
 * messages and their retries, and no resend waits for the count of a channel on the dead shard.
 */
class DeadShardHeadOfLineTest {

    private static final int ROUNDS = 20;

    @Test
    void broadcastsAndRequestsToALiveShardAreNotHeldBehindOnesToADeadShard() throws Exception {
        try (RedisFixture redis = RedisFixture.ownCluster()) {
            RedisClusterProcesses cluster = redis.cluster();
            String live = null;
            String dead = null;
            int livePrimary = -1;
            int deadPrimary = -1;
            for (int i = 0; live == null || dead == null; i++) {
                String channel = "hol-" + i + "#/#";
                int owner = cluster.primaryOf(SlotHash.getSlot(channel));
                if (live == null) {
                    live = channel;
                    livePrimary = owner;
                } else if (owner != livePrimary) {
                    dead = channel;
                    deadPrimary = owner;
                }
            }
            int deadReplica = cluster.replicaOf(deadPrimary);

            Map<String, Long> receivedAt = new ConcurrentHashMap<>();
            RedisClient liveClient = RedisClient.create(RedisURI.create("127.0.0.1", livePrimary));
            RedisClient deadClient = RedisClient.create(RedisURI.create("127.0.0.1", deadPrimary));
            ClusterStats stats = new ClusterStats("test");
            RedisAdapterOptions options = RedisAdapterOptions.builder(redis.uri())
                    .requestTimeout(Duration.ofMillis(500)).build();
            try {
                StatefulRedisPubSubConnection<String, String> subscriber = liveClient.connectPubSub();
                subscriber.addListener(new RedisPubSubAdapter<>() {
                    @Override
                    public void smessage(String on, String message) {
                        receivedAt.put(message, System.nanoTime());
                    }
                });
                subscriber.sync().ssubscribe(live);
                // Two other nodes subscribed to the dead shard's channel: a count to wait for once it is gone.
                deadClient.connectPubSub().sync().ssubscribe(dead);
                deadClient.connectPubSub().sync().ssubscribe(dead);

                try (RedisLink link = RedisLink.connect(options, stats, ClusterObserver.NONE)) {
                    // Counted, as a namespace channel is when the node samples the cluster's size.
                    assertThat(link.subscriberCount(Mode.SHARDED, dead).toCompletableFuture().get()).isEqualTo(2);

                    cluster.kill(deadPrimary);
                    cluster.kill(deadReplica);
                    String deadChannel = dead;
                    await("a publish to the dead shard fails").atMost(Duration.ofSeconds(20)).until(() -> {
                        link.publish(Mode.SHARDED, deadChannel, bytes("probe"), Delivery.HELD);
                        return stats.publishFailures() > 0;
                    });
                    int liveNode = livePrimary;
                    await("the live nodes flag the dead primary failed").atMost(Duration.ofSeconds(20))
                            .until(() -> RedisClusterProcesses.cli(liveNode, "CLUSTER", "NODES").contains("master,fail"));

                    Map<String, Long> sentAt = new ConcurrentHashMap<>();
                    List<CompletableFuture<Void>> requests = new ArrayList<>();
                    List<Long> requestMillis = new ArrayList<>();
                    for (int i = 0; i < ROUNDS; i++) {
                        link.publish(Mode.SHARDED, dead, bytes("d" + i), Delivery.HELD);
                        sentAt.put("b" + i, System.nanoTime());
                        link.publish(Mode.SHARDED, live, bytes("b" + i), Delivery.HELD);
                        long requestedAt = System.nanoTime();
                        CompletableFuture<Void> request = link.publish(Mode.SHARDED, live, bytes("r" + i),
                                Delivery.AFTER_HELD).toCompletableFuture();
                        request.whenComplete((ok, failure) -> {
                            synchronized (requestMillis) {
                                requestMillis.add((System.nanoTime() - requestedAt) / 1_000_000);
                            }
                        });
                        requests.add(request);
                        Thread.sleep(100);
                    }
                    await("every broadcast to the live shard arrives").atMost(Duration.ofSeconds(10))
                            .until(() -> receivedAt.keySet().containsAll(sentAt.keySet()));
                    CompletableFuture.allOf(requests.toArray(CompletableFuture[]::new)).get(10, java.util.concurrent.TimeUnit.SECONDS);

                    long worstMillis = sentAt.entrySet().stream()
                            .mapToLong(sent -> (receivedAt.get(sent.getKey()) - sent.getValue()) / 1_000_000).max().orElse(0);
                    assertThat(worstMillis).as("worst delay of a broadcast to a live shard, ms").isLessThan(200);
                    synchronized (requestMillis) {
                        assertThat(requestMillis).as("delays of requests to a live shard, ms").allMatch(millis -> millis < 200);
                    }
                    assertThat(stats.held()).as("the dead shard's broadcasts are still held").isPositive();
                }
            } finally {
                liveClient.shutdown(Duration.ZERO, Duration.ofSeconds(1));
                deadClient.shutdown(Duration.ZERO, Duration.ofSeconds(1));
            }
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
