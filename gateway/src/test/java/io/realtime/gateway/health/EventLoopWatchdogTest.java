package io.realtime.gateway.health;

import com.corundumstudio.socketio.Configuration;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.EventExecutor;
import io.realtime.cluster.Cluster;
import io.realtime.gateway.server.GatewayServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A loop that runs nothing is seen, and takes the node out of rotation, then has it restarted; a running one is not. */
class EventLoopWatchdogTest {

    private final EventLoopGroup loops = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final EventLoopWatchdog watchdog = EventLoopWatchdog.of(loops, now::get);
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void stop() {
        release.countDown();
        loops.shutdownGracefully(0, 100, TimeUnit.MILLISECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    private void advance(Duration by) {
        now.addAndGet(by.toNanos());
    }

    /** Blocks the second loop until the test ends, and waits until it is blocked. */
    private void blockOneLoop() throws InterruptedException {
        Iterator<EventExecutor> each = loops.iterator();
        each.next();
        CountDownLatch blocked = new CountDownLatch(1);
        each.next().execute(() -> {
            blocked.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(blocked.await(5, TimeUnit.SECONDS)).isTrue();
    }

    private void awaitProbesRun() {
        // The running loops' probes: their lag is what they waited, measured on the test's clock (unchanged).
        await().atMost(Duration.ofSeconds(5)).until(() -> watchdog.lag().isZero());
    }

    @Test
    void runningLoopsAreNotBehind() {
        watchdog.probe();
        awaitProbesRun();
        advance(Duration.ofSeconds(30));
        // Each ran its probe: what it waited counts, not the time since.
        assertThat(watchdog.lag()).isZero();
    }

    @Test
    void aBlockedLoopFallsFurtherBehindUntilItRunsAgain() throws InterruptedException {
        blockOneLoop();
        watchdog.probe();
        advance(Duration.ofSeconds(3));
        watchdog.probe();
        advance(Duration.ofSeconds(4));

        // The blocked loop keeps its first probe: 7 s behind, not 4.
        assertThat(watchdog.lag()).isEqualTo(Duration.ofSeconds(7));

        release.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> watchdog.lag().equals(Duration.ofSeconds(7)));
        advance(Duration.ofSeconds(10));
        watchdog.probe();
        await().atMost(Duration.ofSeconds(5)).until(() -> watchdog.lag().isZero());
    }

    @Test
    void healthTurnsUnreadyThenNotLiveAndSaysWhy() throws InterruptedException {
        // Not started: health reads the server's phase and session count only, and nothing listens.
        GatewayServer server = new GatewayServer(new Configuration());
        Cluster cluster = Cluster.local(server);
        NodeHealth health = new NodeHealth(server, cluster, watchdog);
        health.serving();
        blockOneLoop();
        watchdog.probe();

        advance(EventLoopWatchdog.UNREADY_AFTER.minusMillis(1));
        assertThat(loopsCheck(health.ready()).get("status")).isEqualTo("UP");
        advance(Duration.ofMillis(1));
        NodeHealth.Report unready = health.ready();
        assertThat(unready.ok()).isFalse();
        assertThat(loopsCheck(unready)).containsEntry("status", "DOWN").containsEntry("lagMillis", 5000L);
        assertThat(health.live().ok()).isTrue();

        advance(EventLoopWatchdog.DEAD_AFTER.minus(EventLoopWatchdog.UNREADY_AFTER));
        NodeHealth.Report dead = health.live();
        assertThat(dead.ok()).isFalse();
        assertThat(loopsCheck(dead).get("reason").toString()).contains("20 s");
        cluster.close();
    }

    @Test
    void aLoopThatIsShuttingDownDoesNotCount() throws InterruptedException {
        blockOneLoop();
        watchdog.probe();
        advance(Duration.ofSeconds(30));
        loops.shutdownGracefully(0, 100, TimeUnit.MILLISECONDS);

        assertThat(watchdog.lag()).isZero();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> loopsCheck(NodeHealth.Report report) {
        return (Map<String, Object>) ((Map<String, Object>) report.body().get("checks")).get("eventLoops");
    }
}
