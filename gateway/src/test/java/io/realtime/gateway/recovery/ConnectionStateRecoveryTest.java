package io.realtime.gateway.recovery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.realtime.cluster.SocketIds;
import io.realtime.gateway.testing.RawWebSocket;
import io.realtime.gateway.testing.TestNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** socket.io's connection state recovery on one node, on the wire: raw Socket.IO packets over WebSocket. */
class ConnectionStateRecoveryTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestNode node;

    @BeforeAll
    static void start() {
        node = TestNode.start("--pingInterval=25000", "--pingTimeout=20000", "--connectionStateRecovery=true");
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    /**
     * A connected main-namespace socket: its raw WebSocket, id and pid; {@code beforeConnect}: the replayed events,
     * which come ahead of the CONNECT answer as socket.io sends them;
     * {@code early}: those and whatever else arrives before the connect listener's "auth" event.
     */
    private record Socket(RawWebSocket ws, String sid, String pid, List<JsonNode> beforeConnect, List<JsonNode> early)
            implements AutoCloseable {
        @Override
        public void close() {
            ws.close();
        }
    }

    private static Socket connect(String auth) throws Exception {
        RawWebSocket ws = RawWebSocket.connect(node.webSocketUri("/socket.io/?EIO=4&transport=websocket"));
        assertThat(ws.nextText()).startsWith("0{");
        ws.sendText(auth == null ? "40" : "40" + auth);
        List<JsonNode> beforeConnect = new ArrayList<>();
        String connected = ws.nextText();
        while (connected.startsWith("42")) {
            beforeConnect.add(JSON.readTree(connected.substring(2)));
            connected = ws.nextText();
        }
        assertThat(connected).startsWith("40{");
        JsonNode data = JSON.readTree(connected.substring(2));
        List<JsonNode> early = new ArrayList<>(beforeConnect);
        for (JsonNode event = event(ws); !event.get(0).asText().equals("auth"); event = event(ws)) {
            early.add(event);
        }
        return new Socket(ws, data.get("sid").asText(), data.path("pid").asText(null), beforeConnect, early);
    }

    private static JsonNode event(RawWebSocket ws) throws Exception {
        String text = ws.nextText();
        assertThat(text).startsWith("42");
        return JSON.readTree(text.substring(2));
    }

    /** Sends an event with an ack and collects what arrives until the ack and {@code events} events have. */
    private static List<JsonNode> call(Socket socket, int ackId, String eventAndArgs, int events) throws Exception {
        socket.ws().sendText("42" + ackId + eventAndArgs);
        List<JsonNode> received = new ArrayList<>();
        JsonNode ack = null;
        while (ack == null || received.size() < events) {
            String text = socket.ws().nextText();
            if (text.startsWith("43" + ackId)) {
                ack = JSON.readTree(text.substring(2 + String.valueOf(ackId).length()));
            } else {
                assertThat(text).startsWith("42");
                received.add(JSON.readTree(text.substring(2)));
            }
        }
        received.add(ack);
        return received;
    }

    private static String toRoom(String room, int from, int count) {
        return "[\"to-room\",{\"room\":\"" + room + "\",\"event\":\"news\",\"from\":" + from + ",\"count\":" + count + "}]";
    }

    private static boolean isGone(String sid) {
        return node.server().getNamespace("").getClient(SocketIds.parse(sid)) == null;
    }

    private static String lastOffset(List<JsonNode> events) {
        JsonNode last = events.stream().filter(e -> e.isArray() && e.get(0).asText().equals("news"))
                .reduce((a, b) -> b).orElseThrow();
        return last.get(last.size() - 1).asText();
    }

    @Test
    void anEventSentThroughTheSocketsOldObjectAfterItsRecoveryReachesTheRecoveredSocket() throws Exception {
        Socket first = connect(null);
        call(first, 1, "[\"join\",\"solo\"]", 0);
        String offset = lastOffset(call(first, 2, toRoom("solo", 1, 1).replace("to-room", "to-room-direct"), 1));
        // An application keeps the socket object and sends to it later, after a slow step.
        com.corundumstudio.socketio.SocketIOClient held = node.server().getNamespace("").getClient(SocketIds.parse(first.sid()));
        first.ws().close();
        await().atMost(Duration.ofSeconds(5)).until(() -> isGone(first.sid()));

        try (Socket recovered = connect("{\"pid\":\"" + first.pid() + "\",\"offset\":\"" + offset + "\"}")) {
            assertThat(recovered.sid()).isEqualTo(first.sid());
            held.sendEvent("news", "late");
            JsonNode late = event(recovered.ws());
            assertThat(late.get(0).asText()).isEqualTo("news");
            assertThat(late.get(1).asText()).isEqualTo("late");
            assertThat(Long.parseLong(late.get(late.size() - 1).asText())).isGreaterThan(Long.parseLong(offset));
        }
    }

    @Test
    void aCutTransportRecoversTheIdRoomsDataAndTheMissedPacketsInOrderThenLiveTraffic() throws Exception {
        Socket first = connect(null);
        assertThat(first.pid()).matches("[A-Za-z0-9_-]{22}");
        call(first, 1, "[\"join\",\"r1\"]", 0);
        call(first, 2, "[\"set-data\",{\"n\":7}]", 0);
        List<JsonNode> before = call(first, 3, toRoom("r1", 1, 2), 2);
        assertThat(before.subList(0, 2)).extracting(e -> e.get(1).asInt()).containsExactly(1, 1 + 1);
        // The last event before the cut is sent to the socket itself (netty-socketio's room operations): its
        // offset is in the same log as the broadcasts'.
        List<JsonNode> direct = call(first, 4, toRoom("r1", 100, 1).replace("to-room", "to-room-direct"), 1);
        assertThat(direct.get(0).get(1).asInt()).isEqualTo(100);
        String offset = lastOffset(direct);
        assertThat(Long.parseLong(offset)).isGreaterThan(Long.parseLong(lastOffset(before)));
        first.ws().close();
        await().atMost(Duration.ofSeconds(5)).until(() -> isGone(first.sid()));

        try (Socket other = connect(null)) {
            call(other, 1, toRoom("r1", 3, 3), 0);
            call(other, 2, toRoom("elsewhere", 100, 2), 0);

            try (Socket recovered = connect("{\"pid\":\"" + first.pid() + "\",\"offset\":\"" + offset + "\"}")) {
                assertThat(recovered.sid()).isEqualTo(first.sid());
                assertThat(recovered.pid()).isEqualTo(first.pid());
                assertThat(recovered.beforeConnect()).extracting(e -> e.get(0).asText() + " " + e.get(1).asInt())
                        .containsExactly("news 3", "news 4", "news 5");
                JsonNode state = call(recovered, 1, "[\"state\"]", 0).get(0).get(0);
                assertThat(state.get("id").asText()).isEqualTo(first.sid());
                assertThat(state.get("rooms")).extracting(JsonNode::asText).contains("r1");
                assertThat(state.get("data").get("n").asInt()).isEqualTo(7);

                call(other, 3, toRoom("r1", 6, 1), 0);
                JsonNode live = event(recovered.ws());
                assertThat(live.get(1).asInt()).isEqualTo(6);
                assertThat(Long.parseLong(live.get(2).asText()))
                        .isGreaterThan(Long.parseLong(recovered.early().get(2).get(2).asText()));

                // A session is recovered once: the same pid again, while it is in use, is a new session.
                try (Socket again = connect("{\"pid\":\"" + first.pid() + "\",\"offset\":\"" + offset + "\"}")) {
                    assertThat(again.sid()).isNotEqualTo(first.sid());
                    assertThat(again.pid()).isNotEqualTo(first.pid());
                    assertThat(again.early()).isEmpty();
                }
            }
        }
    }

    @Test
    void forgedMalformedOrForeignValuesGiveANewSessionAndBreakNothing() throws Exception {
        Socket owner = connect(null);
        List<JsonNode> sent = call(owner, 1, toRoom(owner.sid(), 1, 1), 1);
        String offset = lastOffset(sent);
        try (Socket stillConnected = connect(null)) {
            // The pid of a socket that is still connected is never taken over.
            try (Socket thief = connect("{\"pid\":\"" + stillConnected.pid() + "\",\"offset\":\"" + offset + "\"}")) {
                assertThat(thief.sid()).isNotEqualTo(stillConnected.sid());
            }
        }
        owner.ws().close();
        await().atMost(Duration.ofSeconds(5)).until(() -> isGone(owner.sid()));
        String pid = owner.pid();
        String huge = "x".repeat(200_000);
        List<String> bad = List.of(
                "{\"pid\":123,\"offset\":\"" + offset + "\"}",
                "{\"pid\":\"" + pid + "\",\"offset\":7}",
                "{\"pid\":[\"" + pid + "\"],\"offset\":\"" + offset + "\"}",
                "{\"pid\":\"" + pid + "\"}",
                "{\"pid\":\"" + pid + "\",\"offset\":null}",
                "{\"pid\":\"" + pid + "\",\"offset\":\"" + huge + "\"}",
                "{\"pid\":\"" + huge + "\",\"offset\":\"" + offset + "\"}",
                "{\"pid\":\"" + pid + "\",\"offset\":\"999999999999\"}",
                "{\"pid\":\"" + pid + "\",\"offset\":\"0\"}",
                "{\"pid\":\"" + pid + "\",\"offset\":\"-1\"}",
                "{\"pid\":\"" + pid + "\",\"offset\":\"1e3\"}",
                "{\"pid\":\"" + pid + "\",\"offset\":\"1-0\"}",
                "{\"pid\":\"AAAAAAAAAAAAAAAAAAAAAA\",\"offset\":\"" + offset + "\"}",
                "{\"pid\":{\"$ne\":null},\"offset\":\"" + offset + "\"}");
        for (String auth : bad) {
            try (Socket fresh = connect(auth)) {
                assertThat(fresh.sid()).as(auth.length() > 200 ? "huge value" : auth).isNotEqualTo(owner.sid());
                assertThat(fresh.early()).isEmpty();
                assertThat(call(fresh, 1, "[\"state\"]", 0).get(0).get(0).get("id").asText()).isEqualTo(fresh.sid());
            }
        }
        // None of that spent the session: the right values still recover it.
        try (Socket recovered = connect("{\"pid\":\"" + pid + "\",\"offset\":\"" + offset + "\"}")) {
            assertThat(recovered.sid()).isEqualTo(owner.sid());
        }
    }

    @Test
    void aClientThatLeavesOnPurposeLeavesNoSession() throws Exception {
        Socket socket = connect(null);
        String offset = lastOffset(call(socket, 1, toRoom(socket.sid(), 1, 1), 1));
        socket.ws().sendText("41");
        await().atMost(Duration.ofSeconds(5)).until(() -> isGone(socket.sid()));
        socket.close();

        try (Socket again = connect("{\"pid\":\"" + socket.pid() + "\",\"offset\":\"" + offset + "\"}")) {
            assertThat(again.sid()).isNotEqualTo(socket.sid());
        }
    }

    @Test
    void offByDefaultNoPidAndNoOffsets() throws Exception {
        try (TestNode plain = TestNode.start("--pingInterval=25000", "--pingTimeout=20000");
             RawWebSocket ws = RawWebSocket.connect(plain.webSocketUri("/socket.io/?EIO=4&transport=websocket"))) {
            assertThat(ws.nextText()).startsWith("0{");
            ws.sendText("40");
            assertThat(ws.nextText()).matches("40\\{\"sid\":\"[A-Za-z0-9_-]{20}\"}");
            assertThat(ws.nextText()).isEqualTo("42[\"auth\",{}]");
            ws.sendText("42[\"message\",1]");
            assertThat(ws.nextText()).isEqualTo("42[\"message-back\",1]");
        }
    }

}
