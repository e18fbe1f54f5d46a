package io.realtime.gateway.health;

import com.corundumstudio.socketio.Configuration;
import io.realtime.cluster.Cluster;
import io.realtime.cluster.ClusterObserver;
import io.realtime.cluster.RedisAdapterOptions;
import io.realtime.cluster.TransportKind;
import io.realtime.cluster.testing.RedisFixture;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.realtime.gateway.metrics.ClusterLinkMetrics;
import io.realtime.gateway.metrics.MeterNames;
import io.realtime.gateway.server.GatewayServer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A cluster broken for good takes the node out of service and has it restarted, unlike a Redis outage. */
class NodeHealthTest {

    @SuppressWarnings("unchecked")
    private static Map<String, Object> check(NodeHealth.Report report, String name) {
        return (Map<String, Object>) ((Map<String, Object>) report.body().get("checks")).get(name);
    }

    @Test
    void aClusterWhoseStreamReaderDiedMakesTheNodeNeitherLiveNorReadyAndSaysWhy() {
        String key = "node-health-" + UUID.randomUUID();
        RedisAdapterOptions options = RedisAdapterOptions.builder(RedisFixture.shared().uri()).key(key)
                .transport(TransportKind.STREAMS)
                .streams(new RedisAdapterOptions.StreamOptions(key, 1, 10_000, 100, key + ":session:"))
                .build();
        // Called on the reader's thread for every broadcast it reads back: the fatal error ends that thread.
        ClusterObserver failing = new ClusterObserver() {
            @Override
            public void delivered(String namespace, int recipients) {
                throw new InternalError("the JVM is broken");
            }
        };
        // Not started: health reads the server's phase and session count only, and nothing listens.
        GatewayServer server = new GatewayServer(new Configuration());
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try (Cluster cluster = Cluster.redis(server, options, failing)) {
            NodeHealth health = new NodeHealth(server, cluster);
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            new ClusterLinkMetrics(cluster, scheduler).bindTo(registry);
            health.serving();
            assertThat(health.live().ok()).isTrue();
            assertThat(health.ready().ok()).isTrue();
            assertThat(registry.get(MeterNames.CLUSTER_BROKEN).gauge().value()).isZero();

            cluster.of("/").emit("e", 1);

            // The reader's thread ends on the error, as it should: Awaitility would take it for the test's own.
            await().dontCatchUncaughtExceptions().atMost(Duration.ofSeconds(5)).until(() -> !health.live().ok());
            NodeHealth.Report live = health.live();
            assertThat(live.body()).containsEntry("status", "DOWN");
            assertThat(check(live, "redis")).containsEntry("status", "DOWN");
            assertThat((String) check(live, "redis").get("reason")).contains("the reader of stream " + key,
                    "java.lang.InternalError: the JVM is broken");

            NodeHealth.Report ready = health.ready();
            assertThat(ready.ok()).isFalse();
            assertThat(ready.body()).containsEntry("status", "DOWN");
            assertThat(check(ready, "redis")).isEqualTo(check(live, "redis"));
            assertThat(check(ready, "socketio")).containsEntry("status", "UP").containsEntry("phase", "serving");
            // And the alert's gauge, where no probe restarts the node.
            assertThat(registry.get(MeterNames.CLUSTER_BROKEN).gauge().value()).isEqualTo(1.0);
        } finally {
            scheduler.shutdownNow();
        }
    }
}
