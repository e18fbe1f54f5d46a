package io.realtime.gateway.socketio;

import io.realtime.cluster.ClusterNamespace;
import io.realtime.gateway.engineio.EngineSession;
import io.realtime.gateway.testing.ProductNode;
import io.realtime.gateway.testing.ProductNode.Client;
import io.realtime.gateway.testing.RawPolling;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Volatile events as socket.io sends them: to a long-polling client only while one of its polls waits (between polls
 * they are dropped, not kept for the next poll), to a WebSocket client whenever its connection is not backed up.
 */
class VolatileBroadcastTest {

    private static final Pattern SOCKET_ID = Pattern.compile("40\\{\"sid\":\"([^\"]+)\"");

    private static ProductNode node;

    @BeforeAll
    static void start() {
        node = ProductNode.start(Map.of(), "--pingInterval=25000", "--dashboardInterval=60000");
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static ClusterNamespace main() {
        return node.node().cluster().of("/");
    }

    /** A polling client connected to the main namespace; returns its socket id, its last poll answered. */
    private static String connect(RawPolling polling) {
        polling.open();
        assertThat(polling.post("40").statusCode()).isEqualTo(200);
        String connected = polling.poll().body();
        Matcher id = SOCKET_ID.matcher(connected);
        assertThat(id.find()).as(connected).isTrue();
        return id.group(1);
    }

    @Test
    void volatileEventsToAPollingClientBetweenItsPollsAreDropped() throws Exception {
        RawPolling polling = new RawPolling(node::uri, "4");
        String socketId = connect(polling);

        // No poll waits: socket.io's polling transport is not writable and discards them.
        main().asVolatile().emit("tick", 1);
        main().asVolatile().emit("tick", 2);
        main().to(socketId).asVolatile().emit("tick", 3);
        main().emit("marker");

        HttpResponse<String> next = polling.pollAsync().get(10, TimeUnit.SECONDS);
        assertThat(next.body()).isEqualTo("42[\"marker\"]");
        polling.post("1");
    }

    @Test
    void aVolatileEventReachesAPollingClientWhosePollWaits() throws Exception {
        RawPolling polling = new RawPolling(node::uri, "4");
        connect(polling);

        CompletableFuture<HttpResponse<String>> waiting = polling.pollAsync();
        await().atMost(Duration.ofSeconds(5)).until(() ->
                node.node().server().session(polling.sid()).map(EngineSession::hasPendingPoll).orElse(false));
        main().asVolatile().emit("tick", 1);

        assertThat(waiting.get(10, TimeUnit.SECONDS).body()).isEqualTo("42[\"tick\",1]");
        polling.post("1");
    }

    @Test
    void aVolatileEventReachesAWebSocketClient() {
        try (Client client = node.open("/", null)) {
            main().asVolatile().emit("tick", 1);
            main().to(client.sid()).asVolatile().emit("tick", 2);
            assertThat(client.ws().nextText()).isEqualTo("42[\"tick\",1]");
            assertThat(client.ws().nextText()).isEqualTo("42[\"tick\",2]");
        }
    }
}
