package io.realtime.cluster.redis;

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
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The Redis link on a Redis Cluster: plain and sharded pub/sub, and server counts summed over the primaries. */
class RedisClusterLinkTest {

    @Test
    void publishesSubscribesAndCountsAcrossTheClusterNodes() throws Exception {
        RedisAdapterOptions options = RedisAdapterOptions.builder(RedisFixture.sharedCluster().uri())
                .requestTimeout(Duration.ofSeconds(2)).build();
        try (RedisLink one = RedisLink.connect(options, new ClusterStats("test"), ClusterObserver.NONE);
             RedisLink two = RedisLink.connect(options, new ClusterStats("test"), ClusterObserver.NONE)) {
            BlockingQueue<String> plain = new LinkedBlockingQueue<>();
            BlockingQueue<String> sharded = new LinkedBlockingQueue<>();
            List<String> channels = List.of("a#x#", "b#y#", "c#z#", "d#w#");
            for (RedisLink link : List.of(one, two)) {
                link.subscribe(List.of("plain-channel"), (channel, message) -> plain.add(new String(message, StandardCharsets.UTF_8)));
                for (String channel : channels) {
                    link.ssubscribe(channel, (from, message) -> sharded.add(from + "=" + new String(message, StandardCharsets.UTF_8)))
                            .toCompletableFuture().get(5, TimeUnit.SECONDS);
                }
            }

            await().atMost(Duration.ofSeconds(5)).until(() -> one.subscriberCount(Mode.PLAIN, "plain-channel").toCompletableFuture().join() == 2);
            for (String channel : channels) {
                assertThat(one.subscriberCount(Mode.SHARDED, channel).toCompletableFuture().join()).as(channel).isEqualTo(2);
            }

            one.publish(Mode.PLAIN, "plain-channel", "p".getBytes(StandardCharsets.UTF_8), Delivery.NOW).toCompletableFuture().get(5, TimeUnit.SECONDS);
            assertThat(plain.poll(5, TimeUnit.SECONDS)).isEqualTo("p");
            assertThat(plain.poll(5, TimeUnit.SECONDS)).isEqualTo("p");
            for (String channel : channels) {
                one.publish(Mode.SHARDED, channel, "s".getBytes(StandardCharsets.UTF_8), Delivery.NOW).toCompletableFuture().get(5, TimeUnit.SECONDS);
                assertThat(sharded.poll(5, TimeUnit.SECONDS)).isEqualTo(channel + "=s");
                assertThat(sharded.poll(5, TimeUnit.SECONDS)).isEqualTo(channel + "=s");
            }
        }
    }

    /**
     * A replica that stops answering (here CLIENT PAUSE: its cluster bus goes on, so it is never flagged failed) is
     * left out of a server count, each node being waited for on its own; asked all at once, it failed every count.
     * A count that finds no subscriber while a node was silent still fails: the silent one may hold them all.
     */
    @Test
    void aReplicaThatDoesNotAnswerIsLeftOutOfTheCountInsteadOfFailingIt() throws Exception {
        try (RedisFixture redis = RedisFixture.ownCluster()) {
            RedisAdapterOptions options = RedisAdapterOptions.builder(redis.uri()).requestTimeout(Duration.ofSeconds(1)).build();
            try (RedisLink link = RedisLink.connect(options, new ClusterStats("test"), ClusterObserver.NONE)) {
                link.subscribe(List.of("counted"), (channel, message) -> { });
                // Also opens the link's connections to every node, before one of them stops answering.
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> link.subscriberCount(Mode.PLAIN, "counted").toCompletableFuture().join() == 1);
                List<Integer> primaries = redis.cluster().primaries();
                int silent = redis.cluster().ports().stream().filter(port -> !primaries.contains(port))
                        .filter(port -> RedisClusterProcesses.cli(port, "PUBSUB", "NUMSUB", "counted").trim().endsWith("0"))
                        .findFirst().orElseThrow();

                assertThat(RedisFixture.command("127.0.0.1", silent, "CLIENT", "PAUSE", "6000", "ALL")).isEqualTo("+OK");

                assertThat(link.subscriberCount(Mode.PLAIN, "counted").toCompletableFuture())
                        .succeedsWithin(Duration.ofSeconds(4)).isEqualTo(1);
                assertThat(link.subscribers("nobody").toCompletableFuture()).as("none counted, one node silent")
                        .failsWithin(Duration.ofSeconds(4));
            }
        }
    }

    @Test
    void aClusterCutOffAsAWholeIsAnOutageUntilAPrimaryAnswersAgain() throws Exception {
        try (RedisFixture redis = RedisFixture.ownCluster()) {
            RedisAdapterOptions options = RedisAdapterOptions.builder(redis.uri()).requestTimeout(Duration.ofSeconds(2)).build();
            try (RedisLink publisher = RedisLink.connect(options, new ClusterStats("test"), ClusterObserver.NONE);
                 RedisLink subscriber = RedisLink.connect(options, new ClusterStats("test"), ClusterObserver.NONE)) {
                BlockingQueue<String> received = new LinkedBlockingQueue<>();
                subscriber.ssubscribe("room#", (channel, message) -> received.add(new String(message, StandardCharsets.UTF_8)))
                        .toCompletableFuture().get(5, TimeUnit.SECONDS);
                AtomicInteger lost = new AtomicInteger();
                publisher.onConnectionLost(lost::incrementAndGet);
                assertThat(publisher.isConnected()).isTrue();

                // No connection closes: only the primaries' silence tells.
                redis.cluster().pauseAll();
                try {
                    await().atMost(Duration.ofSeconds(15)).until(() -> !publisher.isConnected());
                    assertThat(lost).hasValue(1);
                    assertThat(publisher.publish(Mode.SHARDED, "room#", "request".getBytes(StandardCharsets.UTF_8), Delivery.AFTER_HELD)
                            .toCompletableFuture()).as("a request fails at once").failsWithin(Duration.ofMillis(500));
                    publisher.publish(Mode.SHARDED, "room#", "held".getBytes(StandardCharsets.UTF_8), Delivery.HELD);
                    assertThat(publisher.stats().buffered()).isEqualTo(1);
                } finally {
                    redis.cluster().resumeAll();
                }

                await().atMost(Duration.ofSeconds(20)).until(publisher::isConnected);
                assertThat(received.poll(15, TimeUnit.SECONDS)).isEqualTo("held");
            }
        }
    }
}
