package io.realtime.gateway.cluster;

import io.realtime.cluster.ClusterUnavailableException;
import io.realtime.cluster.testing.RedisFixture;
import io.realtime.gateway.metrics.MeterNames;
import io.realtime.gateway.testing.ProductNode;
import io.realtime.gateway.testing.ProductNode.Client;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Redis goes away and comes back, under a test that owns it: nodes keep serving, hold broadcasts (published, or
 * appended to the stream) and send them when it is back, and resume.
 */
class RedisOutageTest {

    /**
     * Once both nodes count each other, Redis stops, and the node is told; its node gauge, sampled every few seconds,
     * goes from both nodes to itself alone.
     */
    private static void loseRedis(RedisFixture redis, ProductNode node) {
        await().atMost(Duration.ofSeconds(5)).until(() ->
                node.node().cluster().of("/").serverCount().toCompletableFuture().join() == 2);
        await().atMost(Duration.ofSeconds(15)).until(() -> nodesGauge(node) == 2);
        redis.stop();
        await().atMost(Duration.ofSeconds(5)).until(() -> !node.node().cluster().isConnected());
        await().atMost(Duration.ofSeconds(15)).until(() -> nodesGauge(node) == 1);
    }

    private static double nodesGauge(ProductNode node) {
        return node.node().metrics().registry().get(MeterNames.CLUSTER_NODES).gauge().value();
    }

    @ParameterizedTest(name = "REDIS_ADAPTER={0}")
    @ValueSource(strings = {"classic", "sharded"})
    void nodesServeLocallyHoldBroadcastsAndResumeWhenRedisReturns(String transport) {
        try (RedisFixture redis = RedisFixture.ownServer()) {
            Map<String, String> env = Map.of("REDIS_URL", redis.uri());
            String[] flags = {"--pingInterval=25000", "--clusterRequestTimeout=2000", "--outageBufferSize=3",
                    "--outageBufferAge=60000", "--dashboardInterval=60000", "--redisAdapter=" + transport};
            try (ProductNode n1 = ProductNode.start(env, flags); ProductNode n2 = ProductNode.start(env, flags);
                 Client here = n1.open("/", null); Client there = n2.open("/", null)) {
                loseRedis(redis, n1);

                // Local delivery never stops.
                for (int i = 1; i <= 4; i++) {
                    n1.node().cluster().of("/").emit("during", i);
                    assertThat(here.ws().nextText()).isEqualTo("42[\"during\"," + i + "]");
                }
                // Requests fail fast instead of hanging: waiting would end in a ClusterTimeoutException.
                assertThatThrownBy(() -> n1.node().cluster().of("/").fetchSockets().toCompletableFuture().join())
                        .hasCauseInstanceOf(ClusterUnavailableException.class);
                // Four broadcasts, room for three: the oldest is dropped and counted.
                assertThat(n1.node().cluster().stats().orElseThrow().dropped()).isEqualTo(1);

                redis.restart();
                long back = System.nanoTime();

                // What was held arrives on the other node, in order, within seconds of Redis coming back.
                for (int i = 2; i <= 4; i++) {
                    assertThat(there.ws().nextText()).isEqualTo("42[\"during\"," + i + "]");
                }
                assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - back)).isLessThan(5);
                await().atMost(Duration.ofSeconds(5)).until(() -> n2.node().cluster().isConnected());
                await().atMost(Duration.ofSeconds(5)).until(() ->
                        n1.node().cluster().of("/").serverCount().toCompletableFuture().join() == 2);
                n1.node().cluster().of("/").emit("after");
                assertThat(there.ws().nextText()).isEqualTo("42[\"after\"]");
                assertThat(n1.node().cluster().stats().orElseThrow().reconnects()).isGreaterThanOrEqualTo(1);
            }
        }
    }

    /**
     * The stream's entries are held as the pub/sub transports' broadcasts are: this node's sockets get them at once,
     * the other nodes' when Redis is back (in order, ahead of what follows), and nobody twice when they are read back.
     */
    @org.junit.jupiter.api.Test
    void theStreamsTransportServesLocallyAndAppendsWhatItHeldWhenRedisReturns() {
        try (RedisFixture redis = RedisFixture.ownServer()) {
            Map<String, String> env = Map.of("REDIS_URL", redis.uri());
            String[] flags = {"--pingInterval=25000", "--clusterRequestTimeout=2000", "--dashboardInterval=60000",
                    "--redisAdapter=streams"};
            try (ProductNode n1 = ProductNode.start(env, flags); ProductNode n2 = ProductNode.start(env, flags);
                 Client here = n1.open("/", null); Client there = n2.open("/", null)) {
                loseRedis(redis, n1);

                for (int i = 1; i <= 3; i++) {
                    n1.node().cluster().of("/").emit("during", i);
                    assertThat(here.ws().nextText()).isEqualTo("42[\"during\"," + i + "]");
                }
                assertThat(n1.node().cluster().stats().orElseThrow().buffered()).as("held for the other nodes").isEqualTo(3);

                redis.restart();
                for (int i = 1; i <= 3; i++) {
                    assertThat(there.ws().nextText()).isEqualTo("42[\"during\"," + i + "]");
                }
                await().atMost(Duration.ofSeconds(10)).until(() -> n1.node().cluster().isConnected() && n2.node().cluster().isConnected());
                n1.node().cluster().of("/").emit("after");
                assertThat(there.ws().nextText()).isEqualTo("42[\"after\"]");
                assertThat(here.ws().nextText()).as("the held entries read back are not given again").isEqualTo("42[\"after\"]");
                assertThat(n1.node().cluster().stats().orElseThrow().dropped()).isZero();
            }
        }
    }
}
