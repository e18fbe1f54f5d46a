package io.realtime.gateway.recovery;

import com.fasterxml.jackson.databind.JsonNode;
import io.realtime.cluster.SocketIds;
import io.realtime.gateway.testing.RawWebSocket;
import io.realtime.gateway.testing.TestNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.realtime.gateway.recovery.RecoverySocket.call;
import static io.realtime.gateway.recovery.RecoverySocket.connect;
import static io.realtime.gateway.recovery.RecoverySocket.event;
import static io.realtime.gateway.recovery.RecoverySocket.isGone;
import static io.realtime.gateway.recovery.RecoverySocket.lastOffset;
import static io.realtime.gateway.recovery.RecoverySocket.toRoom;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** socket.io's connection state recovery on one node, on the wire: raw Socket.IO packets over WebSocket. */
class ConnectionStateRecoveryTest {

    private static TestNode node;

    @BeforeAll
    static void start() {
        node = TestNode.start("--pingInterval=25000", "--pingTimeout=20000", "--connectionStateRecovery=true");
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void anEventSentThroughTheSocketsOldObjectAfterItsRecoveryReachesTheRecoveredSocket() throws Exception {
        RecoverySocket first = connect(node, null);
        call(first, 1, "[\"join\",\"solo\"]", 0);
        String offset = lastOffset(call(first, 2, toRoom("solo", 1, 1).replace("to-room", "to-room-direct"), 1));
        // An application keeps the socket object and sends to it later, after a slow step.
        com.corundumstudio.socketio.SocketIOClient held = node.server().getNamespace("").getClient(SocketIds.parse(first.sid()));
        first.ws().close();
        await().atMost(Duration.ofSeconds(5)).until(() -> isGone(node, first.sid()));

        try (RecoverySocket recovered = connect(node, "{\"pid\":\"" + first.pid() + "\",\"offset\":\"" + offset + "\"}")) {
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
        RecoverySocket first = connect(node, null);
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
        await().atMost(Duration.ofSeconds(5)).until(() -> isGone(node, first.sid()));

        try (RecoverySocket other = connect(node, null)) {
            call(other, 1, toRoom("r1", 3, 3), 0);
            call(other, 2, toRoom("elsewhere", 100, 2), 0);

            try (RecoverySocket recovered = connect(node, "{\"pid\":\"" + first.pid() + "\",\"offset\":\"" + offset + "\"}")) {
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
                try (RecoverySocket again = connect(node, "{\"pid\":\"" + first.pid() + "\",\"offset\":\"" + offset + "\"}")) {
                    assertThat(again.sid()).isNotEqualTo(first.sid());
                    assertThat(again.pid()).isNotEqualTo(first.pid());
                    assertThat(again.early()).isEmpty();
                }
            }
        }
    }

    @Test
    void forgedMalformedOrForeignValuesGiveANewSessionAndBreakNothing() throws Exception {
        RecoverySocket owner = connect(node, null);
        List<JsonNode> sent = call(owner, 1, toRoom(owner.sid(), 1, 1), 1);
        String offset = lastOffset(sent);
        try (RecoverySocket stillConnected = connect(node, null)) {
            // The pid of a socket that is still connected is never taken over.
            try (RecoverySocket thief = connect(node, "{\"pid\":\"" + stillConnected.pid() + "\",\"offset\":\"" + offset + "\"}")) {
                assertThat(thief.sid()).isNotEqualTo(stillConnected.sid());
            }
        }
        owner.ws().close();
        await().atMost(Duration.ofSeconds(5)).until(() -> isGone(node, owner.sid()));
        String pid = owner.pid();
        String huge = "x".repeat(10_000);
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
            try (RecoverySocket fresh = connect(node, auth)) {
                assertThat(fresh.sid()).as(auth.length() > 200 ? "huge value" : auth).isNotEqualTo(owner.sid());
                assertThat(fresh.early()).isEmpty();
                assertThat(call(fresh, 1, "[\"state\"]", 0).get(0).get(0).get("id").asText()).isEqualTo(fresh.sid());
            }
        }
        // None of that spent the session: the right values still recover it.
        try (RecoverySocket recovered = connect(node, "{\"pid\":\"" + pid + "\",\"offset\":\"" + offset + "\"}")) {
            assertThat(recovered.sid()).isEqualTo(owner.sid());
        }
    }

    @Test
    void aClientThatLeavesOnPurposeLeavesNoSession() throws Exception {
        RecoverySocket socket = connect(node, null);
        String offset = lastOffset(call(socket, 1, toRoom(socket.sid(), 1, 1), 1));
        socket.ws().sendText("41");
        await().atMost(Duration.ofSeconds(5)).until(() -> isGone(node, socket.sid()));
        socket.close();

        try (RecoverySocket again = connect(node, "{\"pid\":\"" + socket.pid() + "\",\"offset\":\"" + offset + "\"}")) {
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
