package io.realtime.gateway.features;

import io.lettuce.core.RedisClient;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.realtime.cluster.testing.RedisFixture;
import io.realtime.gateway.testing.ProductNode;
import io.realtime.gateway.testing.RawWebSocket;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The live dashboard keeps its interval when a server of the cluster never answers {@code nodeInfo}. */
class DashboardGatewayTest {

    @Test
    void aServerThatNeverAnswersDoesNotHoldTheUpdatesBack() {
        String key = "dashboard-" + UUID.randomUUID();
        RedisClient redis = RedisClient.create(RedisFixture.shared().uri());
        // Counted as a server of "/" (it listens to the requests) but answers none: each nodeInfo round waits 5 s.
        try (StatefulRedisPubSubConnection<String, String> silent = redis.connectPubSub();
             ProductNode node = ProductNode.start(Map.of("REDIS_URL", RedisFixture.shared().uri()), "--redisKey=" + key,
                     "--dashboardInterval=300", "--clusterRequestTimeout=5000", "--pingInterval=25000")) {
            silent.sync().subscribe(key + "-request#/#");
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> node.node().cluster().of("/").serverCount().toCompletableFuture().join() == 2);
            try (RawWebSocket dashboard = node.connect("/dashboard", null)) {
                long started = System.nanoTime();
                int updates = 0;
                while (updates < 5) {
                    assertThat(dashboard.nextTextSkippingPings()).startsWith("42/dashboard,[\"dashboardUpdate\"");
                    updates++;
                }
                // Five updates (the first at connection) within two seconds: every 300 ms, not every 5 s.
                assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(4));
            }
        } finally {
            redis.shutdown();
        }
    }
}
