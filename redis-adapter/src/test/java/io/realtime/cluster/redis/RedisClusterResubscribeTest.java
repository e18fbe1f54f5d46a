package io.realtime.cluster.redis;

import io.lettuce.core.cluster.SlotHash;
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
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Redis link on a Redis Cluster when its pub/sub connections to a primary drop and come back with the same slot
 * owners (a network blip, {@code CLIENT KILL TYPE pubsub}, the pub/sub output-buffer limit): no failover follows, yet
 * every sharded subscription held on that primary must be back.
 */
class RedisClusterResubscribeTest {

    @Test
    void shardSubscriptionsInSeveralSlotsOfAPrimaryComeBackAfterItsPubSubConnectionsAreKilled() throws Exception {
        try (RedisFixture redis = RedisFixture.ownCluster()) {
            RedisClusterProcesses cluster = redis.cluster();
            List<String> channels = twoSlotsOfOnePrimary(cluster, "blip-" + UUID.randomUUID());
            int primary = cluster.primaryOf(SlotHash.getSlot(channels.get(0)));
            RedisAdapterOptions options = RedisAdapterOptions.builder(redis.uri()).requestTimeout(Duration.ofSeconds(2)).build();
            try (RedisLink one = RedisLink.connect(options, new ClusterStats("test"), ClusterObserver.NONE);
                 RedisLink two = RedisLink.connect(options, new ClusterStats("test"), ClusterObserver.NONE)) {
                BlockingQueue<String> received = new LinkedBlockingQueue<>();
                for (RedisLink link : List.of(one, two)) {
                    for (String channel : channels) {
                        link.ssubscribe(channel, (from, message) -> received.add(from + "=" + new String(message, StandardCharsets.UTF_8)))
                                .toCompletableFuture().get(5, TimeUnit.SECONDS);
                    }
                }
                for (String channel : channels) {
                    assertThat(redis.shardSubscribers(channel)).as(channel).isEqualTo(2);
                }

                assertThat(RedisClusterProcesses.cli(primary, "CLIENT", "KILL", "TYPE", "pubsub").trim())
                        .as("pub/sub connections killed on the primary").isEqualTo("2");
                // Pub/sub ones only: every topology read opens and closes connections of its own to each node, so a
                // count of all clients taken before the kill may include one that is never there again.
                await("both links reconnected to the primary").atMost(Duration.ofSeconds(10))
                        .until(() -> pubSubClients(primary) == 2);

                for (String channel : channels) {
                    await("both links subscribed again to " + channel).atMost(Duration.ofSeconds(5))
                            .untilAsserted(() -> assertThat(redis.shardSubscribers(channel)).as(channel).isEqualTo(2));
                }
                for (String channel : channels) {
                    one.publish(Mode.SHARDED, channel, "s".getBytes(StandardCharsets.UTF_8), Delivery.NOW).toCompletableFuture().get(5, TimeUnit.SECONDS);
                    assertThat(received.poll(5, TimeUnit.SECONDS)).isEqualTo(channel + "=s");
                    assertThat(received.poll(5, TimeUnit.SECONDS)).isEqualTo(channel + "=s");
                }
            }
        }
    }

    @Test
    void aShardSubscriptionFollowsItsSlotMovedToAnotherPrimary() throws Exception {
        try (RedisFixture redis = RedisFixture.ownCluster()) {
            RedisClusterProcesses cluster = redis.cluster();
            // A slot that is neither its primary's first nor below the new owner's first: every primary's lowest slot
            // stays where it was.
            List<Integer> primaries = cluster.primaries().stream().sorted(java.util.Comparator.comparingInt(port ->
                    firstSlot(cluster, port))).toList();
            int from = primaries.get(primaries.size() - 1);
            int to = primaries.get(0);
            String channel = null;
            for (int room = 0; channel == null; room++) {
                String candidate = "moved-" + UUID.randomUUID() + "#/#room-" + room + "#";
                int slot = SlotHash.getSlot(candidate);
                if (cluster.primaryOf(slot) == from && slot != firstSlot(cluster, from)) {
                    channel = candidate;
                }
            }
            RedisAdapterOptions options = RedisAdapterOptions.builder(redis.uri()).requestTimeout(Duration.ofSeconds(2)).build();
            try (RedisLink publisher = RedisLink.connect(options, new ClusterStats("test"), ClusterObserver.NONE);
                 RedisLink subscriber = RedisLink.connect(options, new ClusterStats("test"), ClusterObserver.NONE)) {
                BlockingQueue<String> received = new LinkedBlockingQueue<>();
                subscriber.ssubscribe(channel, (on, message) -> received.add(new String(message, StandardCharsets.UTF_8)))
                        .toCompletableFuture().get(5, TimeUnit.SECONDS);
                assertThat(redis.shardSubscribers(channel)).isEqualTo(1);

                cluster.moveSlot(SlotHash.getSlot(channel), to);

                String subscribed = channel;
                // Sooner than lettuce's periodic refresh (10 s) would show the move: the old primary's notice does.
                await("subscribed again on the slot's new primary").atMost(Duration.ofSeconds(7))
                        .until(() -> shardSubscribersOn(to, subscribed) == 1);
                await("a message on the moved slot arrives").atMost(Duration.ofSeconds(10)).until(() -> {
                    publisher.publish(Mode.SHARDED, subscribed, "after".getBytes(StandardCharsets.UTF_8), Delivery.NOW);
                    return "after".equals(received.poll(200, TimeUnit.MILLISECONDS));
                });
            }
        }
    }

    @Test
    void aRoomLeftAndJoinedAgainAtOnceIsNotTakenForALostSlot() throws Exception {
        RedisFixture redis = RedisFixture.sharedCluster();
        String channel = "churn-" + UUID.randomUUID() + "#/#room#";
        RedisAdapterOptions options = RedisAdapterOptions.builder(redis.uri()).requestTimeout(Duration.ofSeconds(2)).build();
        try (RedisLink link = RedisLink.connect(options, new ClusterStats("test"), ClusterObserver.NONE)) {
            link.ssubscribe(channel, (on, message) -> { }).toCompletableFuture().get(5, TimeUnit.SECONDS);
            assertThat(link.topologyUnsettled()).isFalse();

            // The last member leaves and somebody joins again before Redis answers the SUNSUBSCRIBE.
            link.sunsubscribe(channel);
            link.ssubscribe(channel, (on, message) -> { }).toCompletableFuture().get(5, TimeUnit.SECONDS);

            assertThat(redis.shardSubscribers(channel)).isEqualTo(1);
            assertThat(link.topologyUnsettled()).as("our own unsubscribe's answer is no lost slot").isFalse();
        }
    }

    /** The lowest slot the primary on {@code port} serves, from its own view of the cluster. */
    private static int firstSlot(RedisClusterProcesses cluster, int port) {
        for (String line : RedisClusterProcesses.cli(port, "CLUSTER", "NODES").split("\\R")) {
            String[] fields = line.trim().split(" ");
            if (fields.length >= 9 && fields[2].contains("myself")) {
                String range = fields[8];
                return Integer.parseInt(range.contains("-") ? range.substring(0, range.indexOf('-')) : range);
            }
        }
        throw new IllegalStateException("no slot on " + port);
    }

    /** {@code PUBSUB SHARDNUMSUB} of a channel on one node. */
    private static int shardSubscribersOn(int port, String channel) {
        String[] lines = RedisClusterProcesses.cli(port, "PUBSUB", "SHARDNUMSUB", channel).trim().split("\\R");
        return lines.length == 2 ? Integer.parseInt(lines[1].trim()) : 0;
    }

    /** A namespace channel ({@code key#/#}) and a room channel in another slot of the same primary. */
    private static List<String> twoSlotsOfOnePrimary(RedisClusterProcesses cluster, String key) {
        String namespace = key + "#/#";
        int primary = cluster.primaryOf(SlotHash.getSlot(namespace));
        List<String> channels = new ArrayList<>(List.of(namespace));
        for (int room = 0; channels.size() < 2; room++) {
            String channel = namespace + "room-" + room + "#";
            int slot = SlotHash.getSlot(channel);
            if (slot != SlotHash.getSlot(namespace) && cluster.primaryOf(slot) == primary) {
                channels.add(channel);
            }
        }
        return channels;
    }

    /** How many pub/sub connections the node has. */
    private static int pubSubClients(int port) {
        String list = RedisClusterProcesses.cli(port, "CLIENT", "LIST", "TYPE", "pubsub").trim();
        return list.isEmpty() ? 0 : list.split("\\R").length;
    }
}
