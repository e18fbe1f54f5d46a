package io.realtime.gateway.socketio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.realtime.gateway.testing.RawWebSocket;
import io.realtime.gateway.testing.TestNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Packets for a namespace without a socket on the connection, as socket.io's Client takes them: those the client sent
 * before it heard that the server disconnected it there are ignored; any other closes the connection with "forced
 * server close", which leaves the other sockets' sessions to recover.
 */
class LeftNamespaceTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> REASONS = new ConcurrentHashMap<>();
    private static TestNode node;

    @BeforeAll
    static void start() {
        node = TestNode.start(server -> server.getNamespace("").addDisconnectListener(client ->
                        REASONS.put(io.realtime.cluster.SocketIds.wire(client.getSessionId()), ((GatewaySocket) client).disconnectReason())),
                "--pingInterval=25000", "--pingTimeout=20000", "--connectionStateRecovery=true");
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    /** A raw WebSocket connected to "/" and "/custom"; the "/" CONNECT answer's data. */
    private static JsonNode connectMainAndCustom(RawWebSocket ws, String mainAuth) throws Exception {
        assertThat(ws.nextText()).startsWith("0{");
        ws.sendText(mainAuth == null ? "40" : "40" + mainAuth);
        String connected = ws.nextText();
        while (connected.startsWith("42")) {
            connected = ws.nextText();
        }
        assertThat(connected).startsWith("40{");
        JsonNode main = JSON.readTree(connected.substring(2));
        assertThat(ws.nextText()).startsWith("42[\"auth\"");
        ws.sendText("40/custom,");
        assertThat(ws.nextText()).startsWith("40/custom,{\"sid\":\"");
        assertThat(ws.nextText()).startsWith("42/custom,[\"auth\"");
        return main;
    }

    private static RawWebSocket open() {
        return RawWebSocket.connect(node.webSocketUri("/socket.io/?EIO=4&transport=websocket"));
    }

    private static void serverDisconnectsCustom() {
        List<com.corundumstudio.socketio.SocketIOClient> clients =
                List.copyOf(node.server().getNamespace("/custom").getAllClients());
        assertThat(clients).hasSize(1);
        clients.get(0).disconnect();
    }

    @Test
    void packetsForANamespaceTheServerJustLeftAreIgnoredAndTheConnectionStays() throws Exception {
        try (RawWebSocket ws = open()) {
            connectMainAndCustom(ws, null);

            serverDisconnectsCustom();
            assertThat(ws.nextText()).isEqualTo("41/custom,");
            // What the client sent before it read the DISCONNECT: an event, a binary event and its attachment, an
            // ack, its own DISCONNECT.
            ws.sendText("42/custom,[\"x\"]");
            ws.sendText("451-/custom,[\"x\",{\"_placeholder\":true,\"num\":0}]");
            ws.sendBinary(new byte[] {1, 2, 3});
            ws.sendText("43/custom,7[]");
            ws.sendText("41/custom,");

            ws.sendText("42[\"message\",\"still here\"]");
            String echo = ws.nextText();
            assertThat(echo).startsWith("42[\"message-back\",\"still here\"");
            assertThat(ws.closed()).isNotDone();
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(node.scrape())
                    .contains("socketio_events_refused_total{nsp=\"/custom\",reason=\"namespace_left\"} 2.0"));

            // Joined again, the namespace is a namespace like any other: a packet for it reaches its new socket.
            ws.sendText("40/custom,");
            assertThat(ws.nextText()).startsWith("40/custom,{\"sid\":\"");
            assertThat(ws.nextText()).startsWith("42/custom,[\"auth\"");
            ws.sendText("41/custom,");
            await().atMost(Duration.ofSeconds(2)).until(() -> node.server().getNamespace("/custom").getAllClients().isEmpty());
            ws.sendText("42[\"message\",\"again\"]");
            assertThat(ws.nextText()).startsWith("42[\"message-back\",\"again\"");
        }
    }

    @Test
    void aPacketForANamespaceNeverJoinedClosesTheConnectionWithARecoverableReason() throws Exception {
        String sid;
        String pid;
        String offset;
        try (RawWebSocket ws = open()) {
            JsonNode main = connectMainAndCustom(ws, null);
            sid = main.get("sid").asText();
            pid = main.get("pid").asText();
            ws.sendText("42[\"message\",\"before\"]");
            JsonNode echo = JSON.readTree(ws.nextText().substring(2));
            offset = echo.get(echo.size() - 1).asText();

            ws.sendText("42/chat,[\"x\"]");

            await().atMost(Duration.ofSeconds(2)).until(() -> ws.closed().isDone());
        }
        await().atMost(Duration.ofSeconds(2)).until(() -> REASONS.containsKey(sid));
        assertThat(REASONS.get(sid)).isEqualTo("forced server close");

        // The "/" socket left its session behind: the client gets it back.
        try (RawWebSocket ws = open()) {
            JsonNode main = connectMainAndCustom(ws, "{\"pid\":\"" + pid + "\",\"offset\":\"" + offset + "\"}");
            assertThat(main.get("sid").asText()).isEqualTo(sid);
        }
    }
}
