package io.realtime.gateway.backend;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.util.concurrent.EventExecutor;
import io.realtime.gateway.api.Validators;
import io.realtime.gateway.broadcast.ServerPush;
import io.realtime.gateway.health.NodeHealth;
import io.realtime.gateway.metrics.GatewayMetrics;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The internal port's close ends when its loop is stuck in a task: a node's stop must not hang on it. */
class BackendApiServerStuckLoopTest {

    @Test
    void aServerWhoseLoopIsStuckStillCloses() {
        GatewayMetrics metrics = new GatewayMetrics();
        BackendApiServer api = BackendApiServer.start("127.0.0.1", 0, 1000, null, new ServerPush((target, event, args) -> { }),
                new ObjectMapper(), Validators.create(), null, new NodeHealth(null, null), metrics, Duration.ZERO,
                io.realtime.gateway.limits.HttpLimits.DEFAULTS);
        CountDownLatch release = new CountDownLatch(1);
        try {
            for (EventExecutor loop : api.eventLoops()) {
                loop.execute(() -> {
                    try {
                        release.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            }

            assertThat(CompletableFuture.runAsync(api::close)).as("the close with its loop stuck")
                    .succeedsWithin(Duration.ofSeconds(10));
        } finally {
            release.countDown();
            metrics.close();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> api.eventLoops().isTerminated());
    }
}
