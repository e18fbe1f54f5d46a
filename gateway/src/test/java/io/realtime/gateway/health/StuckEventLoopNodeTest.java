package io.realtime.gateway.health;

import io.realtime.gateway.testing.ProductNode;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A node one of whose event loops a handler blocks: its metric shows the lag, its readiness fails (the internal port
 * answers from a loop of its own), and it is ready again once the loop runs.
 */
class StuckEventLoopNodeTest {

    private static final Pattern LAG = Pattern.compile("(?m)^socketio_event_loop_lag_seconds ([0-9.Ee+-]+)$");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private HttpResponse<String> get(ProductNode node, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(node.apiUri(path)).timeout(Duration.ofSeconds(2)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private double lagSeconds(ProductNode node) throws Exception {
        Matcher lag = LAG.matcher(get(node, "/metrics").body());
        assertThat(lag.find()).as("socketio_event_loop_lag_seconds is exported").isTrue();
        return Double.parseDouble(lag.group(1));
    }

    @Test
    void aBlockedLoopMakesTheNodeUnreadyUntilItRunsAgain() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (ProductNode node = ProductNode.start(Map.of())) {
            await().atMost(Duration.ofSeconds(5)).until(() -> get(node, "/health/ready").statusCode() == 200);
            assertThat(get(node, "/health/ready").body()).contains("\"eventLoops\":{\"status\":\"UP\"");
            assertThat(lagSeconds(node)).isLessThan(1);

            node.node().server().options().eventLoops().orElseThrow().next().execute(() -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });

            await().atMost(Duration.ofSeconds(15)).until(() -> get(node, "/health/ready").statusCode() == 503);
            assertThat(get(node, "/health/ready").body()).contains("\"eventLoops\":{\"status\":\"DOWN\"")
                    .contains("an event loop has run nothing for");
            assertThat(lagSeconds(node)).isGreaterThanOrEqualTo(EventLoopWatchdog.UNREADY_AFTER.toSeconds());
            assertThat(get(node, "/health/live").statusCode()).isEqualTo(200);

            release.countDown();
            await().atMost(Duration.ofSeconds(5)).until(() -> get(node, "/health/ready").statusCode() == 200);
        } finally {
            release.countDown();
        }
    }
}
