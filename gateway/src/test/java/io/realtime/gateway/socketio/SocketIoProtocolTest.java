package io.realtime.gateway.socketio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.realtime.gateway.testing.RawPolling;
import io.realtime.gateway.testing.RawWebSocket;
import io.realtime.gateway.testing.TestNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Socket.IO v5 packets on the wire, byte for byte, over raw WebSocket and long-polling sessions. */
class SocketIoProtocolTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestNode node;

    @BeforeAll
    static void start() {
        node = TestNode.start("--pingInterval=25000", "--pingTimeout=20000", "--connectTimeout=2000");
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static RawWebSocket openWebSocket() {
        RawWebSocket ws = RawWebSocket.connect(node.webSocketUri("/socket.io/?EIO=4&transport=websocket"));
        assertThat(ws.nextText()).startsWith("0{");
        return ws;
    }

    private static RawWebSocket connectedWebSocket() {
        RawWebSocket ws = openWebSocket();
        ws.sendText("40");
        assertThat(ws.nextText()).startsWith("40{\"sid\":\"");
        assertThat(ws.nextText()).isEqualTo("42[\"auth\",{}]");
        return ws;
    }

    @Test
    void mainNamespaceConnectsOnlyOnTheClientsConnectPacketAndSeesItsAuth() {
        try (RawWebSocket ws = openWebSocket()) {
            // Before its CONNECT the client is in no namespace: socket.io treats an event then as a protocol error.
            // (Nothing is sent after it: the server may already have closed the connection.)
            ws.sendText("42[\"message\",\"too early\"]");

            await().atMost(Duration.ofSeconds(2)).until(() -> ws.closed().isDone());
        }
        try (RawWebSocket ws = openWebSocket()) {
            ws.sendText("40{\"token\":\"a\"}");

            assertThat(ws.nextText()).matches("40\\{\"sid\":\"[A-Za-z0-9_-]{20}\"}");
            assertThat(ws.nextText()).isEqualTo("42[\"auth\",{\"token\":\"a\"}]");
        }
    }

    @Test
    void authPayloadIsKeptPerNamespace() throws Exception {
        try (RawWebSocket ws = openWebSocket()) {
            ws.sendText("40{\"token\":\"a\"}");
            ws.nextText();
            ws.nextText();
            ws.sendText("40/custom,{\"token\":\"b\"}");
            assertThat(ws.nextText()).startsWith("40/custom,{\"sid\":\"");
            assertThat(ws.nextText()).isEqualTo("42/custom,[\"auth\",{\"token\":\"b\"}]");

            ws.sendText("421[\"handshake\"]");

            JsonNode answer = JSON.readTree(ws.nextText().substring(3));
            assertThat(answer.get(0).get("auth")).isEqualTo(JSON.readTree("{\"token\":\"a\"}"));
            assertThat(answer.get(0).get("query").get("EIO").asText()).isEqualTo("4");
        }
    }

    @Test
    void anAuthPayloadLargerThanAHeaderBlockIsRefusedAndTheConnectionGoesOn() throws Exception {
        try (RawWebSocket ws = openWebSocket()) {
            ws.sendText("40{\"token\":\"" + "x".repeat(io.realtime.gateway.server.GatewayServerOptions.DEFAULT_MAX_CONNECT_PAYLOAD) + "\"}");

            String refusal = ws.nextText();
            assertThat(refusal).startsWith("44{");
            assertThat(JSON.readTree(refusal.substring(2)).get("data").get("code").asText()).isEqualTo("auth_too_large");
            ws.sendText("40{\"token\":\"a\"}");
            assertThat(ws.nextText()).startsWith("40{\"sid\":\"");
        }
    }

    @Test
    void unknownNamespaceAnswersAConnectErrorWithAMessage() {
        try (RawWebSocket ws = openWebSocket()) {
            ws.sendText("40/nope,");

            assertThat(ws.nextText()).isEqualTo("44/nope,{\"message\":\"Invalid namespace\"}");
        }
    }

    @Test
    void refusedConnectionSaysWhyInMessageAndData() throws Exception {
        try (RawWebSocket ws = openWebSocket()) {
            ws.sendText("40/private,{\"token\":\"wrong\"}");

            String refusal = ws.nextText();
            assertThat(refusal).startsWith("44/private,");
            assertThat(JSON.readTree(refusal.substring("44/private,".length()))).isEqualTo(JSON.readTree(
                    "{\"message\":\"unauthorized\",\"data\":{\"code\":\"unauthorized\",\"reason\":\"bad token\"}}"));

            ws.sendText("40/private,{\"token\":\"secret\"}");
            assertThat(ws.nextText()).startsWith("40/private,{\"sid\":");
            assertThat(ws.nextText()).isEqualTo("42/private,[\"welcome\",\"private\"]");
        }
    }

    @Test
    void binaryOverWebSocketIsSentAsIs() {
        try (RawWebSocket ws = connectedWebSocket()) {
            ws.sendText("451-[\"message\",{\"_placeholder\":true,\"num\":0}]");
            ws.sendBinary(new byte[] {1, 2, 3});

            assertThat(ws.nextText()).isEqualTo("451-[\"message-back\",{\"_placeholder\":true,\"num\":0}]");
            assertThat(ws.nextBinary()).containsExactly(1, 2, 3);
        }
    }

    /** socket.io-client with {@code forceBase64: true} sends an attachment over WebSocket as a text frame {@code b<base64>}. */
    @Test
    void binaryOverWebSocketInBase64TextFramesIsReadAsBinary() {
        try (RawWebSocket ws = connectedWebSocket()) {
            ws.sendText("451-[\"message\",{\"_placeholder\":true,\"num\":0}]");
            ws.sendText("bAQID");

            assertThat(ws.nextText()).isEqualTo("451-[\"message-back\",{\"_placeholder\":true,\"num\":0}]");
            assertThat(ws.nextBinary()).containsExactly(1, 2, 3);
        }
    }

    @Test
    void nestedBinaryWithSeveralAttachmentsReachesTheClient() {
        try (RawWebSocket ws = connectedWebSocket()) {
            ws.sendText("42[\"binary-to-client\"]");

            String header = ws.nextText();
            assertThat(header).startsWith("453-[\"binary\",");
            assertThat(header).contains("{\"_placeholder\":true,\"num\":0}", "{\"_placeholder\":true,\"num\":1}",
                    "{\"_placeholder\":true,\"num\":2}", "\"text\"");
            int total = 0;
            for (int i = 0; i < 3; i++) {
                total += ws.nextBinary().length;
            }
            assertThat(total).isEqualTo(3 + 1 + 2);
        }
    }

    @Test
    void binaryOverPollingUsesBase64RecordsBothWays() {
        RawPolling polling = new RawPolling(node, "4");
        polling.open();
        polling.post("40");
        polling.poll();

        // Header and attachment in the same POST body, as socket.io-client sends them.
        polling.post("451-[\"message\",{\"_placeholder\":true,\"num\":0}]\u001ebAQID");

        assertThat(polling.poll().body()).isEqualTo("451-[\"message-back\",{\"_placeholder\":true,\"num\":0}]\u001ebAQID");
    }

    @Test
    void binaryReachesAnObjectTypedHandlerAsBytes() {
        try (RawWebSocket ws = connectedWebSocket()) {
            ws.sendText("451-7[\"type-of\",{\"_placeholder\":true,\"num\":0}]");
            ws.sendBinary(new byte[] {9});

            assertThat(ws.nextText()).isEqualTo("437[\"byte[]\"]");
        }
    }

    @Test
    void acksCarrySeveralArgumentsInBothDirections() {
        try (RawWebSocket ws = connectedWebSocket()) {
            ws.sendText("421[\"message-with-ack\",1,\"two\",{\"3\":[3]}]");
            assertThat(ws.nextText()).isEqualTo("431[1,\"two\",{\"3\":[3]}]");

            ws.sendText("425[\"ask-client\",\"q\"]");
            Matcher question = Pattern.compile("42(\\d+)\\[\"question\",\"q\"]").matcher(ws.nextText());
            assertThat(question.matches()).isTrue();
            ws.sendText("43" + question.group(1) + "[\"a\",2]");

            assertThat(ws.nextText()).isEqualTo("435[\"a\",2]");
        }
    }

    /** As socket.io, which calls the callback with no arguments: "43<id>" alone is an ack, not a parse error. */
    @Test
    void anAckWithoutArgumentsReachesTheCallbackAndKeepsTheConnection() {
        try (RawWebSocket ws = connectedWebSocket()) {
            ws.sendText("425[\"ask-client\",\"q\"]");
            Matcher question = Pattern.compile("42(\\d+)\\[\"question\",\"q\"]").matcher(ws.nextText());
            assertThat(question.matches()).isTrue();
            ws.sendText("43" + question.group(1));

            assertThat(ws.nextText()).as("the callback heard no arguments").isEqualTo("435[]");
            ws.sendText("42[\"message\",\"still here\"]");
            assertThat(ws.nextText()).isEqualTo("42[\"message-back\",\"still here\"]");
        }
    }

    @Test
    void serverDisconnectSendsTheDisconnectPacketAndRemovesTheSocket() {
        try (RawWebSocket ws = connectedWebSocket()) {
            int before = node.server().getNamespace("").getAllClients().size();

            ws.sendText("42[\"disconnect-me\"]");

            assertThat(ws.nextText()).isEqualTo("41");
            await().atMost(Duration.ofSeconds(2)).until(() -> node.server().getNamespace("").getAllClients().size() == before - 1);
        }
    }

    @Test
    void namespaceDisconnectLeavesTheNamespaceButKeepsTheConnection() {
        try (RawWebSocket ws = connectedWebSocket()) {
            ws.sendText("40/custom,");
            assertThat(ws.nextText()).startsWith("40/custom,");
            ws.nextText();
            int before = node.server().getNamespace("/custom").getAllClients().size();

            ws.sendText("41/custom,");

            await().atMost(Duration.ofSeconds(2)).until(() ->
                    node.server().getNamespace("/custom").getAllClients().size() == before - 1);
            ws.sendText("42[\"message\",\"still here\"]");
            assertThat(ws.nextText()).isEqualTo("42[\"message-back\",\"still here\"]");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"49", "4x", "42{\"not\":\"an array\"}", "42[\"connect\"]", "42abc", "42[\"a\"] trailing",
            "451-[\"message\"]", "450-[\"message\"]", "4", "4/chat,oops", "7"})
    void malformedPacketsCloseOnlyThatSession(String packet) {
        try (RawWebSocket bystander = connectedWebSocket(); RawWebSocket ws = connectedWebSocket()) {
            ws.sendText(packet);
            if (packet.equals("451-[\"message\"]")) {
                ws.sendText("42[\"a plaintext packet while an attachment is due\"]");
            }

            await().atMost(Duration.ofSeconds(2)).until(() -> ws.closed().isDone());
            bystander.sendText("42[\"message\",\"unaffected\"]");
            assertThat(bystander.nextText()).isEqualTo("42[\"message-back\",\"unaffected\"]");
        }
    }

    /** socket.io-parser reads an ack without an id, which matches no request: socket.io ignores it. */
    @Test
    void anAckWithoutAnIdIsIgnoredAndTheConnectionGoesOn() {
        try (RawWebSocket ws = connectedWebSocket()) {
            ws.sendText("43[1]");
            ws.sendText("43");
            ws.sendText("42[\"message\",\"after\"]");
            assertThat(ws.nextText()).isEqualTo("42[\"message-back\",\"after\"]");
            assertThat(ws.closed()).isNotDone();
        }
    }

    @Test
    void connectionWithoutAnyNamespaceIsClosedAfterTheConnectTimeout() {
        try (RawWebSocket ws = openWebSocket()) {
            await().atMost(Duration.ofSeconds(4)).until(() -> ws.closed().isDone());
        }
    }
}
