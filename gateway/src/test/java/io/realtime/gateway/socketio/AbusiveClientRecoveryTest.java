package io.realtime.gateway.socketio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.realtime.cluster.SocketIds;
import io.realtime.gateway.testing.RawPolling;
import io.realtime.gateway.testing.RawWebSocket;
import io.realtime.gateway.testing.TestNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A client closed for flooding (EVENT_RATE, ABUSE_DISCONNECT_AFTER) with connection state recovery on leaves no
 * session behind: it comes back as a new socket, while a cut transport is still recovered.
 */
class AbusiveClientRecoveryTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestNode node;

    @BeforeAll
    static void start() {
        node = TestNode.start("--pingInterval=25000", "--pingTimeout=20000", "--connectionStateRecovery=true",
                "--eventRate=1", "--eventBurst=5", "--abuseDisconnectAfter=10");
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    /** A main-namespace socket: its WebSocket, id, pid and the offset of an event sent to it. */
    private record Connected(RawWebSocket ws, String sid, String pid, String offset) {
    }

    private static Connected connect(String auth) throws Exception {
        RawWebSocket ws = RawWebSocket.connect(node.webSocketUri("/socket.io/?EIO=4&transport=websocket"));
        assertThat(ws.nextText()).startsWith("0{");
        ws.sendText(auth == null ? "40" : "40" + auth);
        String connected = ws.nextText();
        while (connected.startsWith("42")) {
            // Events replayed by a recovery come ahead of the CONNECT answer.
            connected = ws.nextText();
        }
        assertThat(connected).startsWith("40{");
        JsonNode data = JSON.readTree(connected.substring(2));
        String sid = data.get("sid").asText();
        while (!ws.nextText().startsWith("42[\"auth\"")) {
            // Whatever else precedes the connect listener's event.
        }
        // One event to the socket itself, for an offset to recover from (it takes one event of the burst).
        ws.sendText("421[\"to-room\",{\"room\":\"" + sid + "\",\"event\":\"news\",\"from\":1,\"count\":1}]");
        String offset = null;
        boolean acked = false;
        while (offset == null || !acked) {
            String text = ws.nextText();
            if (text.startsWith("431")) {
                acked = true;
            } else {
                assertThat(text).startsWith("42[\"news\"");
                JsonNode event = JSON.readTree(text.substring(2));
                offset = event.get(event.size() - 1).asText();
            }
        }
        return new Connected(ws, sid, data.path("pid").asText(null), offset);
    }

    private static boolean isGone(String sid) {
        return node.server().getNamespace("").getClient(SocketIds.parse(sid)) == null;
    }

    private static String resume(Connected previous) {
        return "{\"pid\":\"" + previous.pid() + "\",\"offset\":\"" + previous.offset() + "\"}";
    }

    @Test
    void aClientClosedForFloodingIsNotRecovered() throws Exception {
        Connected abuser = connect(null);
        assertThat(abuser.pid()).isNotNull();
        for (int i = 0; i < 40 && !abuser.ws().closed().isDone(); i++) {
            try {
                abuser.ws().sendText("42[\"message\",\"flood\"]");
            } catch (CompletionException e) {
                assertThat(e).hasRootCauseInstanceOf(IOException.class);
                break;
            }
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> abuser.ws().closed().isDone());
        await().atMost(Duration.ofSeconds(5)).until(() -> isGone(abuser.sid()));
        assertThat(node.scrape()).containsPattern("socketio_connections_closed_behaviour_total\\{reason=\"abuse\"} [1-9]");

        Connected back = connect(resume(abuser));
        try {
            assertThat(back.sid()).as("a new socket").isNotEqualTo(abuser.sid());
            assertThat(back.pid()).isNotEqualTo(abuser.pid());
        } finally {
            back.ws().close();
        }
    }

    /** The records of polls until one holds a record starting with {@code last}; all of them. */
    private static List<String> pollUntil(RawPolling polling, String last) {
        List<String> records = new ArrayList<>();
        while (records.stream().noneMatch(r -> r.startsWith(last))) {
            java.net.http.HttpResponse<String> answer = polling.poll();
            assertThat(answer.statusCode()).isEqualTo(200);
            Collections.addAll(records, answer.body().split("\u001e"));
        }
        return records;
    }

    /**
     * A long-polling client floods in a POST while no poll of its waits, then says goodbye before it polls again: its
     * sockets must not end then as "transport close", which socket.io recovers from.
     */
    @Test
    void aPollingClientClosedForFloodingIsNotRecoveredWhateverEndsItsConnection() throws Exception {
        RawPolling polling = new RawPolling(node, "4");
        polling.open();
        polling.post("40");
        List<String> records = pollUntil(polling, "42[\"auth\"");
        JsonNode data = JSON.readTree(records.stream().filter(r -> r.startsWith("40{")).findFirst().orElseThrow().substring(2));
        String sid = data.get("sid").asText();
        String pid = data.get("pid").asText();
        polling.post("421[\"to-room\",{\"room\":\"" + sid + "\",\"event\":\"news\",\"from\":1,\"count\":1}]");
        records = new ArrayList<>(pollUntil(polling, "431"));
        if (records.stream().noneMatch(r -> r.startsWith("42[\"news\""))) {
            records.addAll(pollUntil(polling, "42[\"news\""));
        }
        JsonNode news = JSON.readTree(records.stream().filter(r -> r.startsWith("42[\"news\"")).findFirst().orElseThrow().substring(2));
        String offset = news.get(news.size() - 1).asText();

        polling.post(String.join("\u001e", Collections.nCopies(20, "42[\"message\",\"flood\"]")));
        polling.post("1");
        await().atMost(Duration.ofSeconds(5)).until(() -> isGone(sid));

        Connected back = connect("{\"pid\":\"" + pid + "\",\"offset\":\"" + offset + "\"}");
        try {
            assertThat(back.sid()).as("a new socket").isNotEqualTo(sid);
        } finally {
            back.ws().close();
        }
    }

    /** The same node recovers a socket whose transport was cut: the test above is about the abuse alone. */
    @Test
    void aCutTransportIsStillRecovered() throws Exception {
        Connected first = connect(null);
        first.ws().close();
        await().atMost(Duration.ofSeconds(5)).until(() -> isGone(first.sid()));

        Connected back = connect(resume(first));
        try {
            assertThat(back.sid()).isEqualTo(first.sid());
        } finally {
            back.ws().close();
        }
    }
}
