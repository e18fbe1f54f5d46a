package io.realtime.gateway.socketio;

import io.realtime.gateway.testing.ProductNode;
import io.realtime.gateway.testing.ProductNode.Client;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
    void aBurstOfBroadcastsReachesEveryWebSocketAndPollingClientWholeAndInOrder() throws Exception {
        List<Client> webSockets = new ArrayList<>();
        try {
            // Enough connections to land on every event loop of the node.
            for (int i = 0; i < 12; i++) {
                webSockets.add(node.open("/", null));
            }
            Polling polling = new Polling(node);

            // From a thread that is no event loop: the broadcasts queue up on each loop faster than it runs them.
            for (int i = 0; i < MESSAGES; i++) {
                node.node().cluster().of("/").emit("n", i, "é".repeat(i));
            }

            for (Client client : webSockets) {
                for (int i = 0; i < MESSAGES; i++) {
                    assertThat(client.ws().nextText()).isEqualTo(expected(i));
                }
            }
            List<String> polled = polling.messages(MESSAGES);
            for (int i = 0; i < MESSAGES; i++) {
                assertThat(polled.get(i)).isEqualTo(expected(i));
            }
        } finally {
            webSockets.forEach(Client::close);
        }
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

    /** A long-polling client of namespace {@code /}, made by hand. */
    private static final class Polling {
        private static final Pattern SID = Pattern.compile("\"sid\":\"([^\"]+)\"");
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        private final String base;

        Polling(ProductNode node) throws Exception {
            String root = "http://127.0.0.1:" + node.node().socketIoAddress().getPort() + "/socket.io/?EIO=4&transport=polling";
            Matcher sid = SID.matcher(get(root));
            assertThat(sid.find()).isTrue();
            base = root + "&sid=" + sid.group(1);
            HttpResponse<String> connect = http.send(HttpRequest.newBuilder(URI.create(base)).timeout(Duration.ofSeconds(10))
                    .POST(HttpRequest.BodyPublishers.ofString("40")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(connect.statusCode()).isEqualTo(200);
            assertThat(get(base)).startsWith("40{\"sid\":");
        }

        /** The next {@code count} messages, however many polls they take (each poll is bounded by its timeout). */
        List<String> messages(int count) throws Exception {
            List<String> messages = new ArrayList<>();
            for (int polls = 0; messages.size() < count && polls < 50; polls++) {
                Arrays.stream(get(base).split("\u001e")).filter(record -> !record.equals("2")).forEach(messages::add);
            }
            assertThat(messages).hasSize(count);
            return messages;
        }

        private String get(String uri) throws Exception {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            return response.body();
        }
    }
}
