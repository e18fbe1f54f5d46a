package io.realtime.gateway.socketio;

import io.realtime.gateway.testing.ProductNode;
import io.realtime.gateway.testing.ProductNode.Client;
import io.realtime.gateway.testing.RawPolling;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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

    /**
     * A room's recipients are grouped by event loop once and kept until its membership changes: each broadcast must
     * still reach exactly the sockets in the room when it is sent, including one that left its namespace on a
     * connection that stays open.
     */
    @Test
    void aRoomsBroadcastsReachExactlyItsMembersOfTheMoment() {
        try (Client a = node.open("/", null); Client b = node.open("/", null)) {
            var everyone = node.node().cluster().of("/");
            everyone.to(a.sid()).socketsJoin("team");
            everyone.to("team").emit("n", 1);
            everyone.to("team").emit("n", 2);
            assertThat(a.ws().nextText()).isEqualTo("42[\"n\",1]");
            assertThat(a.ws().nextText()).isEqualTo("42[\"n\",2]");

            everyone.to(b.sid()).socketsJoin("team");
            everyone.to("team").emit("n", 3);
            assertThat(a.ws().nextText()).isEqualTo("42[\"n\",3]");
            assertThat(b.ws().nextText()).isEqualTo("42[\"n\",3]");

            a.ws().sendText("41");
            await().atMost(Duration.ofSeconds(5)).until(() -> roomSize(everyone, "team") == 1);
            everyone.to("team").emit("n", 4);
            assertThat(b.ws().nextText()).isEqualTo("42[\"n\",4]");
            // Back in the namespace, a new socket: the CONNECT answer is the first thing it hears, with no 4 before it.
            a.ws().sendText("40");
            assertThat(a.ws().nextText()).startsWith("40{\"sid\":");
        }
    }

    private static int roomSize(io.realtime.cluster.ClusterNamespace namespace, String room) {
        return namespace.to(room).fetchSockets().toCompletableFuture().join().size();
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
