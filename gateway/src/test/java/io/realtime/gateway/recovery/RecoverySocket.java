package io.realtime.gateway.recovery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.realtime.cluster.SocketIds;
import io.realtime.gateway.testing.RawWebSocket;
import io.realtime.gateway.testing.TestNode;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A main-namespace socket on the wire (raw Socket.IO packets over WebSocket), as the recovery tests drive it: its
 * raw WebSocket, id and pid; {@code beforeConnect}: the replayed events, which come ahead of the CONNECT answer as
 * socket.io sends them; {@code early}: those and whatever else arrives before the connect listener's "auth" event.
 */
record RecoverySocket(RawWebSocket ws, String sid, String pid, List<JsonNode> beforeConnect, List<JsonNode> early)
        implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Connects to {@code node}'s main namespace with {@code auth} (a JSON object, or {@code null}). */
    static RecoverySocket connect(TestNode node, String auth) throws Exception {
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
        return new RecoverySocket(ws, data.get("sid").asText(), data.path("pid").asText(null), beforeConnect, early);
    }

    /** The next packet, which must be an event: its array. */
    static JsonNode event(RawWebSocket ws) throws Exception {
        String text = ws.nextText();
        assertThat(text).startsWith("42");
        return JSON.readTree(text.substring(2));
    }

    /** Sends an event with an ack and collects what arrives until the ack and {@code events} events have; the ack last. */
    static List<JsonNode> call(RecoverySocket socket, int ackId, String eventAndArgs, int events) throws Exception {
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

    /** The feature's "to-room" call: {@code count} "news" events numbered from {@code from} to {@code room}. */
    static String toRoom(String room, int from, int count) {
        return "[\"to-room\",{\"room\":\"" + room + "\",\"event\":\"news\",\"from\":" + from + ",\"count\":" + count + "}]";
    }

    /** Whether {@code node} no longer holds the socket {@code sid}. */
    static boolean isGone(TestNode node, String sid) {
        return node.server().getNamespace("").getClient(SocketIds.parse(sid)) == null;
    }

    /** The offset of the last "news" event among {@code events}. */
    static String lastOffset(List<JsonNode> events) {
        JsonNode last = events.stream().filter(e -> e.isArray() && e.get(0).asText().equals("news"))
                .reduce((x, y) -> y).orElseThrow();
        return last.get(last.size() - 1).asText();
    }

    @Override
    public void close() {
        ws.close();
    }
}
