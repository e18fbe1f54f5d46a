package io.realtime.gateway.features;

import io.realtime.gateway.testing.ProductNode;
import io.realtime.gateway.testing.RawWebSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Chat rooms on the wire: what a socket may join, and that only members of a room it joined hear it. */
class ChatGatewayTest {

    private static ProductNode node;

    @BeforeAll
    static void start() {
        node = ProductNode.start(Map.of(), "--pingInterval=25000", "--eventRate=0");
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static String call(RawWebSocket ws, int ackId, String event, String argument) {
        ws.sendText("42/chat," + ackId + "[\"" + event + "\"," + argument + "]");
        String prefix = "43/chat," + ackId + "[";
        for (String text = ws.nextTextSkippingPings(); ; text = ws.nextTextSkippingPings()) {
            if (text.startsWith(prefix)) {
                return text.substring(prefix.length() - 1);
            }
        }
    }

    @Test
    void theServersOwnRoomsAreNotChatRooms() {
        try (RawWebSocket member = node.connect("/chat", null); RawWebSocket intruder = node.connect("/chat", null)) {
            assertThat(call(intruder, 1, "joinRoom", "\"/chat\"")).contains("forbidden");
            assertThat(call(intruder, 2, "joinRoom", "\"AbCdEfGhIjKlMnOpQrSt\"")).contains("forbidden", "socket id");
            // A socket id's other form, a UUID, names the same socket's room.
            assertThat(call(intruder, 4, "joinRoom", "\"" + java.util.UUID.randomUUID() + "\"")).contains("forbidden", "socket id");
            // Every socket is in its namespace's room: sending to it is not a member's right.
            assertThat(call(intruder, 3, "chatToRoom", "{\"room\":\"/chat\",\"message\":\"hi all\"}")).contains("forbidden");
            assertThat(call(member, 1, "joinRoom", "\"lobby\"")).contains("\"joined\":true");
            // Nor leaves one: its own, or the namespace's, would cut it off from what is sent to it.
            assertThat(call(member, 2, "leaveRoom", "\"/chat\"")).contains("forbidden");
        }
    }

    @Test
    void aUserIdThatNamesASocketIsNoNotificationRoom() {
        try (ProductNode.Client victim = node.open("/", null)) {
            // AUTH_MODE=none: a client names itself; naming itself after another socket must not put it in that room.
            try (RawWebSocket intruder = node.connect("/", "{\"userId\":\"" + victim.sid() + "\"}")) {
                intruder.sendText("421[\"subscribeToNotifications\"]");
                assertThat(intruder.nextTextSkippingPings()).startsWith("431[").contains("forbidden", "socket id");
            }
        }
    }

    @Test
    void aRoomNameWithAnyKindOfSpaceIsRefusedAsTheEventsDocumentSays() {
        try (RawWebSocket ws = node.connect("/chat", null)) {
            assertThat(call(ws, 1, "joinRoom", "\"a b\"")).contains("validation_failed");
            // A no-break space, which ECMA-262's \\S (the AsyncAPI document's pattern) counts as space too.
            assertThat(call(ws, 2, "joinRoom", "\"a\u00a0b\"")).contains("validation_failed");
            assertThat(call(ws, 3, "joinRoom", "\"a-b\"")).contains("\"joined\":true");
        }
    }

    @Test
    void aSocketMayBeInFiftyRoomsAtOnce() {
        try (RawWebSocket ws = node.connect("/chat", null)) {
            for (int i = 0; i < 50; i++) {
                assertThat(call(ws, 100 + i, "joinRoom", "\"room-" + i + "\"")).as("room %d", i).contains("\"joined\":true");
            }
            assertThat(call(ws, 200, "joinRoom", "\"room-50\"")).contains("forbidden", "at most 50 rooms");
            assertThat(call(ws, 201, "joinRoom", "\"room-7\"")).as("one it is in already").contains("\"joined\":true");
            assertThat(call(ws, 202, "leaveRoom", "\"room-7\"")).contains("\"left\":true");
            assertThat(call(ws, 203, "joinRoom", "\"room-50\"")).contains("\"joined\":true");
        }
    }
}
