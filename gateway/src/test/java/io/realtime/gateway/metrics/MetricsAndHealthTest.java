package io.realtime.gateway.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.realtime.cluster.testing.RedisFixture;
import io.realtime.gateway.testing.ProductNode;
import io.realtime.gateway.testing.RawWebSocket;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** What /metrics and /health tell, checked against what really happened on the node. */
class MetricsAndHealthTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(ProductNode node, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(node.apiUri(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String metrics(ProductNode node) throws Exception {
        return get(node, "/metrics").body();
    }

    @Test
    void metricsFollowConnectionsEventsAndDisconnectsWithBoundedTagValues() throws Exception {
        try (ProductNode node = ProductNode.start(Map.of(), "--pingInterval=25000")) {
            HttpResponse<String> scrape = get(node, "/metrics");
            assertThat(scrape.statusCode()).isEqualTo(200);
            assertThat(scrape.headers().firstValue("content-type").orElse("")).startsWith("text/plain");
            assertThat(scrape.body()).contains("socketio_connections_limit 20000.0", "jvm_memory_used_bytes",
                    "netty_direct_memory_used_bytes", "socketio_connections_refused_total{reason=\"auth\"} 0.0");

            RawWebSocket ws = node.connect("/", null);
            ws.sendText("421[\"events\",{\"a\":1}]");
            ws.nextText();
            ws.sendText("42[\"made-up-event-" + System.nanoTime() + "\"]");
            await().atMost(Duration.ofSeconds(3)).untilAsserted(() -> assertThat(metrics(node))
                    .contains("socketio_connections{nsp=\"/\",transport=\"websocket\"} 1.0")
                    .contains("socketio_sessions 1.0")
                    .containsPattern("netty_allocator_memory_used\\{[^}]*memory_type=\"direct\"[^}]*\\} [1-9]")
                    .contains("socketio_events_received_total{event=\"events\",nsp=\"/\"} 1.0")
                    .contains("socketio_events_received_total{event=\"other\",nsp=\"/\"} 1.0")
                    .contains("socketio_handler_duration_seconds_count{event=\"events\",nsp=\"/\"} 1")
                    .doesNotContain("made-up-event"));

            ws.close();
            await().atMost(Duration.ofSeconds(3)).untilAsserted(() -> assertThat(metrics(node))
                    .contains("socketio_connections{nsp=\"/\",transport=\"websocket\"} 0.0")
                    .contains("socketio_disconnects_total{nsp=\"/\",reason=\"transport close\"} 1.0"));
        }
    }

    /**
     * socketio_room_joins_total and socketio_room_leaves_total count changes of membership, as socket.io's adapter
     * reports them: not a join of a room the socket is in (however many threads ask at once), nor a leave of one it
     * is not in (a namespace-wide socketsLeave), and a socket that disconnects leaves its rooms. The room of its own
     * id, and netty-socketio's room of the namespace, are counted neither way.
     */
    @Test
    void roomCountersCountOnlyJoinsAndLeavesThatChangeMembership() throws Exception {
        try (ProductNode node = ProductNode.start(Map.of(), "--pingInterval=25000")) {
            RawWebSocket ws = node.connect("/", null);
            com.corundumstudio.socketio.SocketIONamespace root = node.node().server().getNamespace("/");
            await().atMost(Duration.ofSeconds(5)).until(() -> root.getAllClients().size() == 1);
            io.realtime.gateway.socketio.GatewaySocket socket =
                    (io.realtime.gateway.socketio.GatewaySocket) root.getAllClients().iterator().next();
            io.realtime.cluster.ClusterNamespace everyone = node.node().cluster().of("/");

            socket.joinRoom("lobby");
            socket.joinRoom("lobby");
            socket.joinRooms(java.util.Set.of("lobby", "deck"));
            java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(4);
            try {
                java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
                java.util.List<java.util.concurrent.Future<?>> joins = new java.util.ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    joins.add(threads.submit(() -> {
                        go.await();
                        socket.joinRoom("race");
                        return null;
                    }));
                }
                go.countDown();
                for (java.util.concurrent.Future<?> join : joins) {
                    join.get(5, java.util.concurrent.TimeUnit.SECONDS);
                }
            } finally {
                threads.shutdownNow();
            }
            socket.leaveRoom("deck");
            socket.leaveRoom("deck");
            everyone.socketsLeave("nobody-here");
            everyone.socketsLeave("race");
            socket.joinRoom("kitchen");
            assertThat(socket.getAllRooms()).containsExactlyInAnyOrder(root.getName(), "lobby", "kitchen");
            assertThat(metrics(node)).contains("socketio_room_joins_total{nsp=\"/\"} 4.0",
                    "socketio_room_leaves_total{nsp=\"/\"} 2.0");

            ws.close();
            // Its two rooms left with it.
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(metrics(node))
                    .contains("socketio_room_leaves_total{nsp=\"/\"} 4.0"));
            assertThat(metrics(node)).contains("socketio_room_joins_total{nsp=\"/\"} 4.0");
            assertThat(socket.getAllRooms()).isEmpty();
        }
    }

    @Test
    void pastTheConnectionLimitAHandshakeGets503AndIsCounted() throws Exception {
        try (ProductNode node = ProductNode.start(Map.of(), "--maxConnections=1", "--pingInterval=25000");
             RawWebSocket first = node.connect("/", null)) {
            HttpResponse<String> refused = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + node.node().socketIoAddress().getPort() + "/socket.io/?EIO=4&transport=polling")).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(JSON.readTree(refused.body()).get("code").asText()).isEqualTo("server_full");
            assertThat(metrics(node)).contains("socketio_connections_refused_total{reason=\"limit\"} 1.0");
            first.sendText("421[\"events\",\"still served\"]");
            assertThat(first.nextText()).isEqualTo("431[\"still served\"]");
        }
    }

    @Test
    void anOversizedAuthPayloadIsCountedApartFromRefusedCredentials() throws Exception {
        try (ProductNode node = ProductNode.start(Map.of("MAX_CONNECT_PAYLOAD", "100"), "--pingInterval=25000");
             RawWebSocket ws = RawWebSocket.connect(node.webSocketUri("/socket.io/?EIO=4&transport=websocket"))) {
            ws.nextText();
            ws.sendText("40{\"token\":\"" + "x".repeat(200) + "\"}");

            assertThat(ws.nextText()).startsWith("44{").contains("auth_too_large");
            assertThat(metrics(node)).contains("socketio_connections_refused_total{reason=\"auth_too_large\"} 1.0",
                    "socketio_connections_refused_total{reason=\"auth\"} 0.0");
        }
    }

    @Test
    void readinessFollowsThePhaseAndARedisOutageOnlyDegradesIt() throws Exception {
        try (RedisFixture redis = RedisFixture.ownServer();
             ProductNode node = ProductNode.start(Map.of("REDIS_URL", redis.uri()), "--dashboardInterval=60000")) {
            assertThat(get(node, "/health/live").statusCode()).isEqualTo(200);
            HttpResponse<String> ready = get(node, "/health/ready");
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(ready.body()).at("/checks/redis/status").asText()).isEqualTo("UP");

            redis.stop();
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                HttpResponse<String> degraded = get(node, "/health/ready");
                JsonNode body = JSON.readTree(degraded.body());
                assertThat(degraded.statusCode()).isEqualTo(200);
                assertThat(body.get("status").asText()).isEqualTo("DEGRADED");
                assertThat(body.at("/checks/redis/status").asText()).isEqualTo("DEGRADED");
            });
            assertThat(metrics(node)).contains("socketio_cluster_redis_connected 0.0", "socketio_cluster_held 0.0",
                    "socketio_cluster_held_limit 10000.0");

            node.node().health().draining();
            HttpResponse<String> draining = get(node, "/health/ready");
            assertThat(draining.statusCode()).isEqualTo(503);
            assertThat(JSON.readTree(draining.body()).at("/checks/socketio/phase").asText()).isEqualTo("draining");
            assertThat(get(node, "/health/live").statusCode()).isEqualTo(200);
        }
    }
}
