package io.realtime.gateway.socketio;

import io.realtime.gateway.testing.RawPolling;
import io.realtime.gateway.testing.RawWebSocket;
import io.realtime.gateway.testing.TestNode;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Engine.IO v3 clients (socket.io-client 2.x) with allowEIO3, and a stop that tells clients and takes no time. */
class LegacyClientsAndShutdownTest {

    @Test
    void engineIoV3WebSocketFramesBinaryWithItsTypeByteAndAnswersClientPings() {
        try (TestNode node = TestNode.start("--allowEIO3=true", "--pingInterval=25000");
             RawWebSocket ws = RawWebSocket.connect(node.webSocketUri("/socket.io/?EIO=3&transport=websocket"))) {
            assertThat(ws.nextText()).startsWith("0{");
            assertThat(ws.nextText()).isEqualTo("40");
            assertThat(ws.nextText()).isEqualTo("42[\"auth\",{}]");

            ws.sendText("451-[\"message\",{\"_placeholder\":true,\"num\":0}]");
            ws.sendBinary(new byte[] {4, 1, 2, 3});
            assertThat(ws.nextText()).isEqualTo("451-[\"message-back\",{\"_placeholder\":true,\"num\":0}]");
            assertThat(ws.nextBinary()).containsExactly(4, 1, 2, 3);

            ws.sendText("2");
            assertThat(ws.nextText()).isEqualTo("3");
        }
    }

    @Test
    void engineIoV3PacketsForANamespaceWithoutASocketAreIgnoredAsSocketIo2Does() {
        try (TestNode node = TestNode.start("--allowEIO3=true", "--pingInterval=25000");
             RawWebSocket ws = RawWebSocket.connect(node.webSocketUri("/socket.io/?EIO=3&transport=websocket"))) {
            assertThat(ws.nextText()).startsWith("0{");
            assertThat(ws.nextText()).isEqualTo("40");
            assertThat(ws.nextText()).isEqualTo("42[\"auth\",{}]");

            ws.sendText("42/chat,[\"message\",1]");
            ws.sendText("43/chat,7[]");
            // The connection is still there: the main namespace still answers, after the packets above.
            ws.sendText("42[\"message\",2]");
            assertThat(ws.nextText()).isEqualTo("42[\"message-back\",2]");
        }
    }

    @Test
    void engineIoV3PollingUsesLengthPrefixedRecords() {
        try (TestNode node = TestNode.start("--allowEIO3=true", "--pingInterval=25000")) {
            RawPolling polling = new RawPolling(node, "3");
            String open = polling.open();
            String openRecord = open.substring(open.indexOf(':') + 1, open.indexOf(':') + 1 + Integer.parseInt(open.substring(0, open.indexOf(':'))));
            assertThat(openRecord).startsWith("0{").endsWith("}");
            assertThat(open.substring(open.indexOf(openRecord) + openRecord.length())).isEqualTo("2:4013:42[\"auth\",{}]");

            polling.post(record("42[\"message\",\"hi\"]"));
            HttpResponse<String> echoed = polling.poll();
            assertThat(echoed.body()).isEqualTo("23:42[\"message-back\",\"hi\"]");
        }
    }

    private static String record(String packet) {
        return packet.length() + ":" + packet;
    }

    @Test
    void engineIoV3IsRefusedUnlessAllowed() {
        try (TestNode node = TestNode.start()) {
            HttpResponse<String> response = new RawPolling(node, "3").send("GET", "/socket.io/?EIO=3&transport=polling", null);
            assertThat(response.statusCode()).isEqualTo(400);
        }
    }

    @Test
    void stopClosesEveryWebSocketProperlyWithoutWaitingForItsClients() {
        TestNode node = TestNode.start("--pingInterval=25000");
        RawWebSocket first = RawWebSocket.connect(node.webSocketUri("/socket.io/?EIO=4&transport=websocket"));
        RawWebSocket second = RawWebSocket.connect(node.webSocketUri("/socket.io/?EIO=4&transport=websocket"));
        try {
            for (RawWebSocket ws : new RawWebSocket[] {first, second}) {
                ws.nextText();
                ws.sendText("40");
                assertThat(ws.nextText()).startsWith("40{");
            }

            long started = System.nanoTime();
            node.close();
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

            // Stop closes the WebSockets itself rather than waiting for their clients to leave (the 10-s drain window).
            assertThat(tookMillis).isLessThan(8000);
            assertThat(first.closed().orTimeout(2, TimeUnit.SECONDS).join()).isEqualTo(1000);
            assertThat(second.closed().orTimeout(2, TimeUnit.SECONDS).join()).isEqualTo(1000);
        } finally {
            first.close();
            second.close();
            node.close();
        }
    }

}
