package io.realtime.cluster.redis;

import io.realtime.cluster.ClusterObserver;
import io.realtime.cluster.ClusterStats;
import io.realtime.cluster.RedisAdapterOptions;
import io.realtime.cluster.redis.RedisLink.Delivery;
import io.realtime.cluster.redis.RedisLink.Mode;
import io.realtime.cluster.testing.SilentRedisHost;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A single Redis whose host goes silent (every packet lost both ways, no FIN, no RST: a crashed VM, a Kubernetes
 * node cut off) while broadcasts are published: the publishing connection always has commands in flight, so
 * keepalive never probes it, and only TCP_USER_TIMEOUT has it dropped before the kernel gives up retransmitting
 * (about 15 minutes). Noticed, the link holds broadcasts and reconnects; once the host answers again they flow.
 */
class SilentRedisHostTest {

    @Test
    void aSilentRedisHostIsNoticedWithinSecondsAndBroadcastsFlowOnceItAnswersAgain() throws Exception {
        ClusterStats stats = new ClusterStats("test");
        RedisAdapterOptions.Builder builder;
        List<String> received = new CopyOnWriteArrayList<>();
        ScheduledExecutorService publisher = Executors.newSingleThreadScheduledExecutor();
        try (SilentRedisHost host = SilentRedisHost.start()) {
            assertThat(RedisConnector.userTimeoutSupported())
                    .as("lettuce runs on epoll or io_uring here (netty-transport-native-epoll on the test class path)")
                    .isTrue();
            builder = RedisAdapterOptions.builder(host.uri()).requestTimeout(Duration.ofSeconds(1))
                    .outageBuffer(10_000, Duration.ofSeconds(60));
            try (RedisLink link = RedisLink.connect(builder.build(), stats, ClusterObserver.NONE)) {
                link.subscribe(List.of("silent"), (channel, message) -> received.add(new String(message, StandardCharsets.UTF_8)));
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                    link.publish(Mode.PLAIN, "silent", bytes("before"), Delivery.NOW).toCompletableFuture().get(5, TimeUnit.SECONDS);
                    assertThat(received).contains("before");
                });

                host.silence();
                long silencedAt = System.nanoTime();
                AtomicInteger sent = new AtomicInteger();
                // A broadcast every 200 ms: the publishing connection is never idle.
                publisher.scheduleAtFixedRate(() -> link.publish(Mode.PLAIN, "silent",
                        bytes("during-" + sent.incrementAndGet()), Delivery.HELD), 0, 200, TimeUnit.MILLISECONDS);
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                        .until(() -> !link.isConnected());
                long noticedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - silencedAt);
                publisher.shutdownNow();
                publisher.awaitTermination(5, TimeUnit.SECONDS);
                // Published once the link knows: held, and sent when Redis is back.
                link.publish(Mode.PLAIN, "silent", bytes("held"), Delivery.HELD);
                long held = stats.held();
                assertThat(held).as("broadcasts published while Redis is gone are held").isPositive();
                long publishedBefore = stats.published();

                host.restore();
                await().atMost(Duration.ofSeconds(30)).until(link::isConnected);
                // Sent, not dropped (this link's own subscriber may still be reconnecting: Redis keeps no message
                // for a subscriber away, which is why the link waits for the other nodes' resubscription).
                await().atMost(Duration.ofSeconds(20)).until(() -> stats.held() == 0);
                assertThat(stats.dropped()).isZero();
                assertThat(stats.published() - publishedBefore).isGreaterThanOrEqualTo(held);
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                    link.publish(Mode.PLAIN, "silent", bytes("after"), Delivery.HELD).toCompletableFuture().get(5, TimeUnit.SECONDS);
                    assertThat(received).contains("after");
                });
                assertThat(noticedAfter).as("ms until the silent host was noticed").isLessThan(30_000);
            }
        } finally {
            publisher.shutdownNow();
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
