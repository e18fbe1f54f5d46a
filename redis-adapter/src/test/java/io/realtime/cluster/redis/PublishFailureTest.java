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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What becomes of a broadcast whose publish fails on a single Redis: one that timed out on a connection still up
 * reaches Redis anyway and is not sent again; one failed by a dropped connection is sent again at its own place.
 */
class PublishFailureTest {

    private static final String CHANNEL = "failures";

    private RedisFixture redis;
    private RedisClient client;
    private RedisLink link;
    private final ClusterStats stats = new ClusterStats("classic");
    private final List<String> received = new CopyOnWriteArrayList<>();

    @BeforeEach
    void subscribe() {
        redis = RedisFixture.ownServer();
        client = RedisClient.create(redis.uri());
        StatefulRedisPubSubConnection<String, String> subscriber = client.connectPubSub();
        subscriber.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                received.add(message);
            }
        });
        subscriber.sync().subscribe(CHANNEL);
    }

    @AfterEach
    void stop() {
        if (link != null) {
            link.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        redis.close();
    }

    private void connect(Duration requestTimeout) {
        link = RedisLink.connect(RedisAdapterOptions.builder(redis.uri()).requestTimeout(requestTimeout).build(), stats,
                ClusterObserver.NONE);
    }

    private CompletableFuture<Void> publish(String message) {
        return link.publish(Mode.PLAIN, CHANNEL, message.getBytes(StandardCharsets.UTF_8), Delivery.HELD)
                .toCompletableFuture();
    }

    /** Redis runs no write (PUBLISH included) for {@code millis}: what is sent meanwhile waits in it. */
    private void pauseWrites(long millis) {
        assertThat(RedisFixture.command(redis.host(), redis.port(), "CLIENT", "PAUSE", Long.toString(millis), "WRITE"))
                .isEqualTo("+OK");
    }

    /**
     * A Redis that stalls longer than the request timeout (a fork, a slow command, a paused VM): each publish times
     * out while Redis holds it, and runs once Redis catches up. Sent again, every retry (each 500 ms while it lasts)
     * added a copy on the same connection, and the subscribers got m1..m5 several times over.
     */
    @Test
    void broadcastsThatTimedOutWhileRedisStalledArriveOnceAndInOrder() {
        connect(Duration.ofMillis(300));
        pauseWrites(2_000);
        List<String> sent = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            sent.add("m" + i);
            publish("m" + i);
        }

        await("every publish timed out").atMost(Duration.ofSeconds(10)).until(() -> stats.publishFailures() >= sent.size());
        await("Redis ran them once it caught up").atMost(Duration.ofSeconds(10)).until(() -> received.size() >= sent.size());
        // Past the pause and several retry rounds: a copy sent again would have come by now.
        await().during(Duration.ofMillis(1_500)).atMost(Duration.ofSeconds(3))
                .untilAsserted(() -> assertThat(received).containsExactlyElementsOf(sent));
        assertThat(stats.publishesUnconfirmed()).as("each counted once").isEqualTo(sent.size());
        assertThat(stats.publishFailures()).isEqualTo(sent.size());
        assertThat(stats.buffered()).as("none held to be sent again").isZero();
    }

    /**
     * m1 and m2 are in flight when the connection drops; lettuce fails them in order, and m3, published as m1's
     * failure is known (held behind it, Redis being lost), must not go out before m2: m2 goes back to the place it
     * took when it was published, not to the end.
     */
    @Test
    void aBroadcastWhoseConnectionDroppedGoesOutAtItsPlaceAheadOfThoseHeldSince() {
        connect(Duration.ofSeconds(5));
        pauseWrites(1_000);
        CompletableFuture<Void> m1 = publish("m1");
        CompletableFuture<Void> m2 = publish("m2");
        CompletableFuture<CompletableFuture<Void>> m3 = new CompletableFuture<>();
        m1.thenRun(() -> m3.complete(publish("m3")));
        assertThat(m1).as("still waiting for Redis").isNotDone();

        // The link's connections are the normal clients (the test's subscriber is of type pubsub); lettuce fails
        // what it had sent on it (Redis drops a killed client's paused commands unrun) and reconnects.
        assertThat(RedisFixture.command(redis.host(), redis.port(), "CLIENT", "KILL", "TYPE", "normal")).startsWith(":")
                .isNotEqualTo(":0");

        m3.orTimeout(5, TimeUnit.SECONDS).join();
        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() >= 3);
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
                .untilAsserted(() -> assertThat(received).containsExactly("m1", "m2", "m3"));
        assertThat(m2).isDone();
        assertThat(stats.publishesUnconfirmed()).as("a dropped connection's publishes are sent again").isZero();
        assertThat(stats.buffered()).as("m1 and m2 held again, m3 held behind them").isEqualTo(3);
    }

    /**
     * An error the same append would get again (here the key is no stream) fails that append alone: held again, it
     * was sent every half second until it aged out, and every later append and request waited behind it.
     */
    @Test
    void anAppendRedisRefusesForGoodFailsAloneAndHoldsNothingBack() throws Exception {
        connect(Duration.ofSeconds(2));
        String notAStream = "not-a-stream-" + System.nanoTime();
        assertThat(RedisFixture.command(redis.host(), redis.port(), "SET", notAStream, "x")).isEqualTo("+OK");
        List<String> told = new CopyOnWriteArrayList<>();

        CompletableFuture<String> refused = link.xadd(notAStream, 100, java.util.Map.of("n", "1"), () -> told.add("held"))
                .toCompletableFuture();
        await().atMost(Duration.ofSeconds(5)).until(refused::isDone);
        assertThat(refused).failsWithin(Duration.ZERO).withThrowableThat()
                .havingCause().isInstanceOf(io.realtime.cluster.ClusterUnavailableException.class)
                .isNotInstanceOf(RedisLink.HeldException.class)
                .havingCause().withMessageContaining("WRONGTYPE");
        assertThat(told).as("not held").isEmpty();

        String stream = "a-stream-" + System.nanoTime();
        String id = link.xadd(stream, 100, java.util.Map.of("n", "2"), () -> told.add("held"))
                .toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(id).as("appended at once, nothing waits before it").isNotBlank();
        publish("after").get(5, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(5)).until(() -> received.contains("after"));
        assertThat(told).isEmpty();
        assertThat(stats.held()).isZero();
    }
}
