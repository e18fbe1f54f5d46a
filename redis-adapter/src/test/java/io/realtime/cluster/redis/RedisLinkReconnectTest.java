package io.realtime.cluster.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.realtime.cluster.ClusterObserver;
import io.realtime.cluster.ClusterStats;
import io.realtime.cluster.RedisAdapterOptions;
import io.realtime.cluster.redis.RedisLink.Delivery;
import io.realtime.cluster.redis.RedisLink.Mode;
import io.realtime.cluster.testing.RedisFixture;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The Redis link when a single Redis it owns goes away and comes back: order of held messages, subscriptions. */
class RedisLinkReconnectTest {

    private static RedisLink connect(RedisFixture redis) {
        return RedisLink.connect(RedisAdapterOptions.builder(redis.uri()).requestTimeout(Duration.ofSeconds(2)).build(),
                new ClusterStats("test"), ClusterObserver.NONE);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * An outage of {@code redis} with {@code duringOutage} run while it lasts, then Redis back and the link connected
     * again; returns what a subscriber of "ordered" that came back receives. Two subscribers before the outage that
     * never come back: held messages wait (up to 3 s) for two to be back.
     */
    private static List<String> outage(RedisFixture redis, RedisLink link, RedisClient client, Runnable duringOutage) {
        StatefulRedisPubSubConnection<String, String> gone = client.connectPubSub();
        StatefulRedisPubSubConnection<String, String> goneToo = client.connectPubSub();
        gone.sync().subscribe("ordered");
        goneToo.sync().subscribe("ordered");
        await().atMost(Duration.ofSeconds(5))
                .until(() -> link.subscriberCount(Mode.PLAIN, "ordered").toCompletableFuture().join() == 2);
        gone.close();
        goneToo.close();

        redis.stop();
        await().atMost(Duration.ofSeconds(5)).until(() -> !link.isConnected());
        duringOutage.run();
        redis.restart();

        List<String> received = new CopyOnWriteArrayList<>();
        StatefulRedisPubSubConnection<String, String> back = client.connectPubSub();
        back.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                received.add(message);
            }
        });
        back.sync().subscribe("ordered");
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10)).until(link::isConnected);
        return received;
    }

    @Test
    void aMessagePublishedRightAfterAReconnectGoesOutAfterThoseHeldDuringTheOutage() {
        try (RedisFixture redis = RedisFixture.ownServer(); RedisLink link = connect(redis)) {
            RedisClient client = RedisClient.create(redis.uri());
            try {
                List<String> received = outage(redis, link, client, () -> {
                    link.publish(Mode.PLAIN, "ordered", bytes("1"), Delivery.HELD);
                    assertThat(link.stats().buffered()).isEqualTo(1);
                });
                link.publish(Mode.PLAIN, "ordered", bytes("2"), Delivery.HELD);

                await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 2);
                assertThat(received).containsExactly("1", "2");
            } finally {
                client.shutdown(0, 2, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void aRequestPublishedRightAfterAReconnectWaitsBehindTheMessagesHeldDuringTheOutage() throws Exception {
        try (RedisFixture redis = RedisFixture.ownServer(); RedisLink link = connect(redis)) {
            RedisClient client = RedisClient.create(redis.uri());
            try {
                List<String> received = outage(redis, link, client, () -> {
                    // A join, say, while Redis is away; the request refused meanwhile says so at once.
                    link.publish(Mode.PLAIN, "ordered", bytes("join"), Delivery.HELD);
                    assertThat(link.publish(Mode.PLAIN, "ordered", bytes("refused"), Delivery.AFTER_HELD).toCompletableFuture())
                            .failsWithin(Duration.ofSeconds(1));
                });
                // A fetchSockets, say, as soon as Redis is back: the nodes must answer it knowing of the join.
                CompletableFuture<Void> request = link.publish(Mode.PLAIN, "ordered", bytes("request"), Delivery.AFTER_HELD)
                        .toCompletableFuture();
                link.publish(Mode.PLAIN, "ordered", bytes("response"), Delivery.NOW);

                request.get(10, TimeUnit.SECONDS);
                await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 3);
                // Published while the join still waits (up to 3 s, for the two subscribers gone): the request goes
                // behind it, the response does not wait.
                assertThat(received).containsExactly("response", "join", "request");
            } finally {
                client.shutdown(0, 2, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void heldMessagesWaitForTheServersOfEveryChannelCountedNotOnlyTheLastOne() throws Exception {
        try (RedisFixture redis = RedisFixture.ownServer(); RedisLink link = connect(redis)) {
            RedisClient client = RedisClient.create(redis.uri());
            try {
                // Two namespaces: one served by two nodes, then one by a single node, counted last.
                StatefulRedisPubSubConnection<String, String> gone = client.connectPubSub();
                StatefulRedisPubSubConnection<String, String> goneToo = client.connectPubSub();
                StatefulRedisPubSubConnection<String, String> alone = client.connectPubSub();
                gone.sync().subscribe("served#");
                goneToo.sync().subscribe("served#");
                alone.sync().subscribe("alone#");
                assertThat(link.subscriberCount(Mode.PLAIN, "served#").toCompletableFuture().get(5, TimeUnit.SECONDS)).isEqualTo(2);
                assertThat(link.subscriberCount(Mode.PLAIN, "alone#").toCompletableFuture().get(5, TimeUnit.SECONDS)).isEqualTo(1);
                gone.close();
                goneToo.close();
                alone.close();

                redis.stop();
                await().atMost(Duration.ofSeconds(5)).until(() -> !link.isConnected());
                link.publish(Mode.PLAIN, "served#", bytes("held"), Delivery.HELD);
                redis.restart();

                List<String> first = new CopyOnWriteArrayList<>();
                subscribed(client, "served#", first);
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10)).until(link::isConnected);
                // One of the two servers of "served#" is back: the message waits for the other (up to 3 s).
                await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(2)).until(first::isEmpty);
                List<String> second = new CopyOnWriteArrayList<>();
                subscribed(client, "served#", second);

                await().atMost(Duration.ofSeconds(5)).until(() -> first.size() == 1 && second.size() == 1);
                assertThat(second).containsExactly("held");
            } finally {
                client.shutdown(0, 2, TimeUnit.SECONDS);
            }
        }
    }

    private static void subscribed(RedisClient client, String channel, List<String> received) {
        StatefulRedisPubSubConnection<String, String> connection = client.connectPubSub();
        connection.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String from, String message) {
                received.add(message);
            }
        });
        connection.sync().subscribe(channel);
    }

    @Test
    void subscriptionsChangedWhileTheSubscriberConnectionIsDownAreMadeGoodWhenItIsBack() throws Exception {
        try (RedisFixture redis = RedisFixture.ownServer(); RedisLink link = connect(redis)) {
            link.ssubscribe("left#", (channel, message) -> { }).toCompletableFuture().get(5, TimeUnit.SECONDS);
            link.subscribe(List.of("plain-left#"), (channel, message) -> { });
            await().atMost(Duration.ofSeconds(5)).until(() -> link.subscribers("plain-left#").toCompletableFuture().join() == 1);

            redis.stop();
            await().atMost(Duration.ofSeconds(5)).until(() -> !link.isConnected());
            // A room joined and another left here while Redis is away; a namespace opened too.
            link.ssubscribe("joined#", (channel, message) -> { });
            link.sunsubscribe("left#");
            link.subscribe(List.of("plain-joined#"), (channel, message) -> { });
            link.unsubscribe(List.of(), List.of("plain-left#"));
            redis.restart();

            // The link unsubscribes before it subscribes: once the new ones are held, the old ones are gone.
            await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> redis.shardSubscribers("joined#") == 1
                    && link.subscribers("plain-joined#").toCompletableFuture().join() == 1);
            assertThat(redis.shardSubscribers("left#")).isZero();
            assertThat(link.subscribers("plain-left#").toCompletableFuture().join()).isZero();
            await().atMost(Duration.ofSeconds(5)).until(() -> link.stats().subscriptions() == 2);
        }
    }
}
