package io.realtime.gateway.backend;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.util.concurrent.EventExecutor;
import io.realtime.gateway.api.Validators;
import io.realtime.gateway.broadcast.ServerPush;
import io.realtime.gateway.health.NodeHealth;
import io.realtime.gateway.metrics.GatewayMetrics;
import io.realtime.gateway.testing.WatchedConnections;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static io.realtime.gateway.testing.WatchedConnections.keepBusy;
import static io.realtime.gateway.testing.WatchedConnections.readSome;
import static io.realtime.gateway.testing.WatchedConnections.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The internal port leaves no accepted connection open once closed, even when its loop is busy at that moment: a
 * backend service's pooled keep-alive connection left open is one nobody reads, and its next request on it hangs.
 */
class BackendApiServerStopTest {

    private static final Duration PROMPTLY = Duration.ofSeconds(2);

    private final WatchedConnections clients = new WatchedConnections();
    private final GatewayMetrics metrics = new GatewayMetrics();

    @AfterEach
    void closeClients() throws IOException {
        clients.close();
        metrics.close();
    }

    @Test
    void aServerWhoseLoopIsBusyClosesEveryConnectionWhenItStops() throws IOException {
        BackendApiServer api = BackendApiServer.start("127.0.0.1", 0, 1000, null, new ServerPush((target, event, args) -> { }),
                new ObjectMapper(), Validators.create(), null, new NodeHealth(null, null), metrics, Duration.ZERO,
                io.realtime.gateway.limits.HttpLimits.DEFAULTS);
        Map<String, CompletableFuture<String>> connections = new LinkedHashMap<>();
        try {
            int port = api.localAddress().getPort();
            connections.put("accepted, nothing sent", clients.watch(clients.connect(port)));

            Socket idle = clients.connect(port);
            send(idle, "GET /api/v1/nothing HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assertThat(readSome(idle)).startsWith("HTTP/1.1 404").doesNotContainIgnoringCase("connection: close");
            connections.put("idle keep-alive", clients.watch(idle));

            Socket halfSent = clients.connect(port);
            send(halfSent, "POST /api/v1/data HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 10\r\n\r\n[1");
            connections.put("body half sent", clients.watch(halfSent));

            for (EventExecutor loop : api.eventLoops()) {
                keepBusy(loop);
            }
        } finally {
            api.close();
        }

        await().atMost(PROMPTLY).untilAsserted(() -> assertThat(connections)
                .allSatisfy((kind, ended) -> assertThat(ended).as(kind + ": still open").isDone()));
        assertThat(connections).allSatisfy((kind, ended) -> assertThat(ended.join()).as(kind + ": read timed out").isNotNull());
    }
}
