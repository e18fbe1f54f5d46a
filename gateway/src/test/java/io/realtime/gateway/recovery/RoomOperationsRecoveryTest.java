package io.realtime.gateway.recovery;

import com.corundumstudio.socketio.BroadcastAckCallback;
import com.corundumstudio.socketio.SocketIOClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.realtime.gateway.testing.TestNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.realtime.gateway.recovery.RecoverySocket.call;
import static io.realtime.gateway.recovery.RecoverySocket.connect;
import static io.realtime.gateway.recovery.RecoverySocket.event;
import static io.realtime.gateway.recovery.RecoverySocket.isGone;
import static io.realtime.gateway.recovery.RecoverySocket.lastOffset;
import static io.realtime.gateway.recovery.RecoverySocket.toRoom;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * netty-socketio's room and broadcast operations with connection state recovery on: one broadcast is one entry of the
 * namespace's log, whatever the number of its recipients, and it is replayed to the room's members that were away.
 */
class RoomOperationsRecoveryTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestNode node;

    @BeforeAll
    static void start() {
        node = TestNode.start(server -> {
            // {room, event, n}: the event to the room through netty-socketio's operations, except the sender.
            server.addEventListener("to-others-direct", Map.class, (client, order, ack) -> {
                server.getRoomOperations((String) order.get("room"))
                        .sendEvent((String) order.get("event"), client, order.get("n"));
                ack.sendAckData("sent");
            });
            // {room}: one question to the room's sockets through the namespace's operations, answered once all replied.
            server.addEventListener("ask-room", Map.class, (client, order, ack) -> {
                server.getNamespace("/").getRoomOperations((String) order.get("room")).sendEvent("question", "q?",
                        new BroadcastAckCallback<>(String.class, 5) {
                            private final List<String> answers = new java.util.concurrent.CopyOnWriteArrayList<>();

                            @Override
                            protected void onClientSuccess(SocketIOClient from, String answer) {
                                answers.add(answer);
                            }

                            @Override
                            protected void onAllSuccess() {
                                ack.sendAckData(new ArrayList<>(answers));
                            }
                        });
            });
        }, "--pingInterval=25000", "--pingTimeout=20000", "--connectionStateRecovery=true", "--recoveryLogBytes=5000");
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void aRoomBroadcastToManySocketsTakesOneEntryAndAnAwayClientStillRecoversEverything() throws Exception {
        List<RecoverySocket> others = new ArrayList<>();
        try {
            for (int i = 0; i < 40; i++) {
                RecoverySocket other = connect(node, null);
                others.add(other);
                call(other, 1, "[\"join\",\"r2\"]", 0);
            }
            RecoverySocket away = connect(node, null);
            call(away, 1, "[\"join\",\"r1\"]", 0);
            String offset = lastOffset(call(away, 2, toRoom("r1", 1, 1), 1));
            away.ws().close();
            await().atMost(Duration.ofSeconds(5)).until(() -> isGone(node, away.sid()));

            // One broadcast through netty-socketio's room operations to the 40 sockets of r2...
            List<JsonNode> other = call(others.get(0), 2,
                    toRoom("r2", 1, 1).replace("to-room", "to-room-direct").replace("news", "other"), 1);
            assertThat(other.get(0).get(0).asText()).isEqualTo("other");
            long otherOffset = Long.parseLong(other.get(0).get(2).asText());
            assertThat(otherOffset).as("the room broadcast's offset follows the last one").isEqualTo(Long.parseLong(offset) + 1);
            for (RecoverySocket member : others.subList(1, others.size())) {
                JsonNode got = event(member.ws());
                assertThat(got.get(0).asText()).isEqualTo("other");
                assertThat(got.get(2).asText()).as("every recipient has the broadcast's one offset").isEqualTo(String.valueOf(otherOffset));
            }
            // ...then two more events to the away client's room.
            call(others.get(0), 3, toRoom("r1", 2, 2), 0);

            try (RecoverySocket recovered = connect(node, "{\"pid\":\"" + away.pid() + "\",\"offset\":\"" + offset + "\"}")) {
                assertThat(recovered.sid()).as("recovered").isEqualTo(away.sid());
                assertThat(recovered.beforeConnect()).extracting(e -> e.get(0).asText() + " " + e.get(1).asInt())
                        .containsExactly("news 2", "news 3");
                assertThat(recovered.beforeConnect()).extracting(e -> Long.parseLong(e.get(2).asText()))
                        .containsExactly(otherOffset + 1, otherOffset + 2);
            }
        } finally {
            others.forEach(RecoverySocket::close);
        }
    }

    @Test
    void aRoomBroadcastIsReplayedToTheRoomsAwayMembersAndLeavesOutTheExceptedSocket() throws Exception {
        try (RecoverySocket sender = connect(node, null); RecoverySocket present = connect(node, null)) {
            call(sender, 1, "[\"join\",\"r3\"]", 0);
            call(present, 1, "[\"join\",\"r3\"]", 0);
            RecoverySocket away = connect(node, null);
            call(away, 1, "[\"join\",\"r3\"]", 0);
            String offset = lastOffset(call(away, 2, toRoom(away.sid(), 1, 1), 1));
            away.ws().close();
            await().atMost(Duration.ofSeconds(5)).until(() -> isGone(node, away.sid()));

            call(sender, 2, "[\"to-others-direct\",{\"room\":\"r3\",\"event\":\"news\",\"n\":7}]", 0);
            JsonNode live = event(present.ws());
            assertThat(live.get(1).asInt()).isEqualTo(7);
            assertThat(Long.parseLong(live.get(2).asText())).isEqualTo(Long.parseLong(offset) + 1);

            try (RecoverySocket recovered = connect(node, "{\"pid\":\"" + away.pid() + "\",\"offset\":\"" + offset + "\"}")) {
                assertThat(recovered.sid()).isEqualTo(away.sid());
                assertThat(recovered.beforeConnect()).extracting(e -> e.get(0).asText() + " " + e.get(1).asInt())
                        .containsExactly("news 7");
            }
            // The sender was left out: the next thing it gets is the answer to its next call.
            List<JsonNode> next = call(sender, 3, "[\"state\"]", 0);
            assertThat(next).hasSize(1);
        }
    }

    @Test
    void aRoomBroadcastWithAnAckStillCollectsEveryAnswer() throws Exception {
        try (RecoverySocket asker = connect(node, null); RecoverySocket first = connect(node, null);
             RecoverySocket second = connect(node, null)) {
            call(first, 1, "[\"join\",\"r4\"]", 0);
            call(second, 1, "[\"join\",\"r4\"]", 0);
            asker.ws().sendText("425[\"ask-room\",{\"room\":\"r4\"}]");
            for (RecoverySocket member : List.of(first, second)) {
                String question = member.ws().nextText();
                assertThat(question).matches("42\\d+\\[\"question\",\"q\\?\"]");
                String ackId = question.substring(2, question.indexOf('['));
                member.ws().sendText("43" + ackId + "[\"a\"]");
            }
            String answered = asker.ws().nextText();
            assertThat(answered).startsWith("435");
            // The answers as the ack's arguments (AckRequest.sendAckData of a list): one from each member.
            assertThat(JSON.readTree(answered.substring(3))).extracting(JsonNode::asText).containsExactly("a", "a");
        }
    }
}
