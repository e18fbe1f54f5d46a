package io.realtime.cluster.redis;

import io.realtime.cluster.ClusterObserver;
import io.realtime.cluster.ClusterStats;
import io.realtime.cluster.RedisAdapterOptions;
import io.realtime.cluster.testing.RedisFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * While Redis is slow, commands wait in lettuce up to the option's bound; a publish or a stream append beyond it is
 * held as during an outage and sent in order as Redis answers again.
 */
class CommandQueueBoundTest {

    private static final int BOUND = 8;

    private RedisFixture redis;
    private RedisLink link;
    private final ClusterStats stats = new ClusterStats("classic");

    @BeforeEach
    void start() {
        redis = RedisFixture.ownServer();
        link = RedisLink.connect(RedisAdapterOptions.builder(redis.uri()).commandQueueSize(BOUND).build(), stats,
                ClusterObserver.NONE);
    }

    @AfterEach
    void stop() {
        link.close();
        redis.close();
    }

    /** Redis takes no command for {@code millis}: everything sent meanwhile waits for its answer. */
    private void stall(long millis, String which) {
        assertThat(RedisFixture.command(redis.host(), redis.port(), "CLIENT", "PAUSE", Long.toString(millis), which))
                .isEqualTo("+OK");
    }

    /**
     * lettuce checks its bound command by command, when a command is buffered and again when the flush writes it, with
     * Redis's answers freeing room in between: a publish it refused at the flush was held again behind later ones
     * (those buffered before the refusal was known went out first), so the other nodes got them out of order.
     */
    @ParameterizedTest(name = "a flush every {0} publishes")
    @ValueSource(ints = {50, 4})
    void publishesBeyondTheBoundWhileRedisIsSlowAreHeldAndSentInOrderAsItAnswers(int burst) throws InterruptedException {
        List<String> received = new CopyOnWriteArrayList<>();
        link.subscribe(List.of("bound"), (channel, message) -> received.add(new String(message, StandardCharsets.UTF_8)));
        await().atMost(Duration.ofSeconds(5)).until(() -> stats.subscriptions() == 1);

        stall(1000, "ALL");
        List<CompletableFuture<Void>> published = new ArrayList<>();
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            sent.add("m" + i);
            published.add(link.publish(RedisLink.Mode.PLAIN, "bound", ("m" + i).getBytes(StandardCharsets.UTF_8),
                    RedisLink.Delivery.HELD).toCompletableFuture());
            if ((i + 1) % burst == 0) {
                // Bursts, as a node's event loops publish: the flush scheduled by one runs before the next.
                Thread.sleep(1);
            }
        }

        await("publishes beyond the bound held").atMost(Duration.ofSeconds(5)).until(() -> stats.buffered() > 0);
        CompletableFuture.allOf(published.toArray(CompletableFuture[]::new)).orTimeout(10, TimeUnit.SECONDS).join();
        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() >= sent.size());
        assertThat(received).containsExactlyElementsOf(sent);
        assertThat(stats.publishFailures()).as("publishes lettuce refused").isZero();
        assertThat(stats.dropped()).isZero();
    }

    /**
     * Other commands (counts, requests, session writes) never wait for held broadcasts and take the room they need:
     * when one took the room a held broadcast was about to get, the broadcasts after it must still wait behind it.
     */
    @Test
    void heldPublishesStayInOrderWhileOtherCommandsCompeteForTheRoom() throws InterruptedException {
        List<String> received = new CopyOnWriteArrayList<>();
        link.subscribe(List.of("bound"), (channel, message) -> received.add(new String(message, StandardCharsets.UTF_8)));
        await().atMost(Duration.ofSeconds(5)).until(() -> stats.subscriptions() == 1);
        java.util.concurrent.atomic.AtomicBoolean competing = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread competitor = new Thread(() -> {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (competing.get() && System.nanoTime() < until) {
                link.subscriberCount(RedisLink.Mode.PLAIN, "bound");
                java.util.concurrent.locks.LockSupport.parkNanos(100_000);
            }
        });

        stall(1000, "ALL");
        competitor.start();
        List<String> sent = new ArrayList<>();
        try {
            for (int i = 0; i < 300; i++) {
                sent.add("m" + i);
                link.publish(RedisLink.Mode.PLAIN, "bound", ("m" + i).getBytes(StandardCharsets.UTF_8), RedisLink.Delivery.HELD);
                if (i % 10 == 9) {
                    Thread.sleep(1);
                }
            }
            await().atMost(Duration.ofSeconds(15)).until(() -> received.size() >= sent.size());
        } finally {
            competing.set(false);
            competitor.join(5_000);
        }
        assertThat(received).containsExactlyElementsOf(sent);
    }

    @Test
    void streamAppendsBeyondTheBoundWhileRedisIsSlowAreHeldAndAppendedInOrderAsItAnswers() {
        String stream = "bound-" + System.nanoTime();
        stall(1000, "WRITE");
        List<CompletableFuture<String>> appended = new ArrayList<>();
        java.util.concurrent.atomic.AtomicInteger told = new java.util.concurrent.atomic.AtomicInteger();
        for (int i = 0; i < 20; i++) {
            appended.add(link.xadd(stream, 1000, Map.of("n", Integer.toString(i)), told::incrementAndGet).toCompletableFuture());
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> appended.stream().allMatch(CompletableFuture::isDone));
        List<Throwable> failures = new ArrayList<>();
        for (CompletableFuture<String> append : appended) {
            try {
                append.join();
            } catch (CompletionException e) {
                failures.add(e.getCause());
            }
        }
        assertThat(failures).as("appends held for the full queue").hasSize(appended.size() - BOUND);
        assertThat(failures).allSatisfy(failure -> assertThat(failure).isInstanceOf(RedisLink.HeldException.class));
        assertThat(told).as("each held append's appender told first").hasValue(failures.size());
        await().atMost(Duration.ofSeconds(10)).until(() ->
                RedisFixture.command(redis.host(), redis.port(), "XLEN", stream).equals(":" + appended.size()));
        List<String> order = new ArrayList<>();
        try (var client = io.lettuce.core.RedisClient.create(redis.uri()); var connection = client.connect()) {
            connection.sync().xrange(stream, io.lettuce.core.Range.create("-", "+"))
                    .forEach(entry -> order.add(entry.getBody().get("n")));
        }
        assertThat(order).containsExactlyElementsOf(java.util.stream.IntStream.range(0, appended.size()).mapToObj(Integer::toString).toList());
        assertThat(stats.dropped()).isZero();
    }
}
