package io.realtime.cluster.redis;

import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.event.TopologyRefreshEvent;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.concurrent.SingleThreadEventExecutor;
import io.realtime.cluster.ClusterStats;
import io.realtime.cluster.RedisAdapterOptions;
import io.realtime.cluster.testing.RedisFixture;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class ClusterTopologyTest {

    @Test
    void slotsAreWrittenAsSortedRangesSoThatOneMovedSlotChangesThem() {
        assertThat(ClusterTopology.ranges(List.of(8, 1, 2, 3, 5, 7))).isEqualTo("1-3,5,7-8");
        assertThat(ClusterTopology.ranges(List.of(0))).isEqualTo("0");
        assertThat(ClusterTopology.ranges(List.of())).isEmpty();
    }

    /** An event executor (as lettuce's) that counts the runs of its fixed-delay tasks. */
    private static final class CountingExecutor extends SingleThreadEventExecutor {
        final AtomicInteger runs = new AtomicInteger();

        CountingExecutor() {
            super(null, new DefaultThreadFactory("topology-test"), true);
        }

        @Override
        public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
            return super.scheduleWithFixedDelay(() -> {
                runs.incrementAndGet();
                command.run();
            }, initialDelay, delay, unit);
        }

        @Override
        protected void run() {
            do {
                Runnable task = takeTask();
                if (task != null) {
                    runTask(task);
                    updateLastExecutionTime();
                }
            } while (!confirmShutdown());
        }
    }

    @Test
    void closedItNoLongerReadsTheTopologyNorCountsRefreshes() throws Exception {
        watchThenStop(ClusterTopology::close);
    }

    /** What the link's close does: its publishing connection closed, the executor may live on (lent event loops). */
    @Test
    void itStopsOnceTheLinksConnectionIsClosed() throws Exception {
        watchThenStop(topology -> { });
    }

    private static void watchThenStop(java.util.function.Consumer<ClusterTopology> stop) throws Exception {
        RedisAdapterOptions options = RedisAdapterOptions.builder(RedisFixture.sharedCluster().uri())
                .requestTimeout(Duration.ofSeconds(2)).build();
        RedisConnector.Connections connections = RedisConnector.connect(options);
        CountingExecutor scheduler = new CountingExecutor();
        ClusterStats stats = new ClusterStats("test");
        RedisClusterClient client = (RedisClusterClient) connections.client();
        try {
            @SuppressWarnings("unchecked")
            StatefulRedisClusterConnection<byte[], byte[]> pub = (StatefulRedisClusterConnection<byte[], byte[]>) connections.pub();
            ClusterTopology topology = new ClusterTopology(client, pub, stats, scheduler, options.requestTimeout());
            topology.watch(() -> { }, reachable -> { });
            await().atMost(Duration.ofSeconds(5)).until(() -> scheduler.runs.get() >= 1);
            long refreshes = stats.topologyRefreshes();
            client.getResources().eventBus().publish(new TopologyRefreshEvent(List.of()));
            await().atMost(Duration.ofSeconds(5)).until(() -> stats.topologyRefreshes() > refreshes);

            connections.sub().close();
            pub.close();
            stop.accept(topology);
            // At most the run under way, or the one that finds the connection closed.
            Thread.sleep(1_500);
            int runs = scheduler.runs.get();
            long counted = stats.topologyRefreshes();
            Thread.sleep(2_500);
            assertThat(scheduler.runs.get()).as("runs of the once-a-second task after the close").isEqualTo(runs);
            client.getResources().eventBus().publish(new TopologyRefreshEvent(List.of()));
            Thread.sleep(200);
            assertThat(stats.topologyRefreshes()).as("refreshes counted after the close").isEqualTo(counted);
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            RedisConnector.releaseResources(client.getResources(), Optional.empty());
            scheduler.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }
}
