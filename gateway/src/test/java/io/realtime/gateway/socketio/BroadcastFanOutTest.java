package io.realtime.gateway.socketio;

import io.realtime.gateway.testing.ProductNode;
import io.realtime.gateway.testing.ProductNode.Client;
import io.realtime.gateway.testing.RawPolling;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A broadcast is encoded once and written to all its recipients by one task per event loop, with the flush of a
 * loop's connections deferred behind the tasks already queued: every client must still get every message, whole
 * and in order, whatever its transport and loop.
 */
class BroadcastFanOutTest {

    private static final int MESSAGES = 300;
    private static ProductNode node;

    @BeforeAll
    static void start() {
        node = ProductNode.start(Map.of(), "--pingInterval=25000", "--dashboardInterval=60000");
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    /** Message {@code i}, its text long enough from 126 characters on to need a 16-bit WebSocket length. */
    private static String expected(int i) {
        return "42[\"n\"," + i + ",\"" + "é".repeat(i) + "\"]";
    }

    @Test
    void aBurstOfBroadcastsReachesEveryWebSocketAndPollingClientWholeAndInOrder() {
        List<Client> webSockets = new ArrayList<>();
        try {
            // Enough connections to land on every event loop of the node.
            for (int i = 0; i < 12; i++) {
                webSockets.add(node.open("/", null));
            }
            RawPolling polling = new RawPolling(node::uri, "4");
            polling.open();
            assertThat(polling.post("40").statusCode()).isEqualTo(200);
            assertThat(polling.poll().body()).startsWith("40{\"sid\":");

            // From a thread that is no event loop: the broadcasts queue up on each loop faster than it runs them.
            for (int i = 0; i < MESSAGES; i++) {
                node.node().cluster().of("/").emit("n", i, "é".repeat(i));
            }

            for (Client client : webSockets) {
                for (int i = 0; i < MESSAGES; i++) {
                    assertThat(client.ws().nextText()).isEqualTo(expected(i));
                }
            }
            List<String> polled = polledMessages(polling, MESSAGES);
            for (int i = 0; i < MESSAGES; i++) {
                assertThat(polled.get(i)).isEqualTo(expected(i));
            }
        } finally {
            webSockets.forEach(Client::close);
        }
    }

    /** The next {@code count} messages, however many polls they take (each poll is bounded by its timeout). */
    private static List<String> polledMessages(RawPolling polling, int count) {
        List<String> messages = new ArrayList<>();
        for (int polls = 0; messages.size() < count && polls < 50; polls++) {
            HttpResponse<String> response = polling.poll();
            assertThat(response.statusCode()).isEqualTo(200);
            Arrays.stream(response.body().split("\u001e")).filter(record -> !record.equals("2")).forEach(messages::add);
        }
        assertThat(messages).hasSize(count);
        return messages;
    }

    @Test
    void aBroadcastWithBinaryDataReachesWebSocketClientsAsPlaceholderAndAttachment() {
        try (Client a = node.open("/", null); Client b = node.open("/", null)) {
            node.node().cluster().of("/").emit("file", (Object) new byte[] {1, 2, 3});

            for (Client client : List.of(a, b)) {
                assertThat(client.ws().nextText()).isEqualTo("451-[\"file\",{\"_placeholder\":true,\"num\":0}]");
                assertThat(client.ws().nextBinary()).isEqualTo(new byte[] {1, 2, 3});
            }
        }
    }
}
