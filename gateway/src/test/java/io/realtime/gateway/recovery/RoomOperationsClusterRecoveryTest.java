package io.realtime.gateway.recovery;

import com.fasterxml.jackson.databind.JsonNode;
import io.realtime.cluster.testing.RedisFixture;
import io.realtime.gateway.testing.TestNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static io.realtime.gateway.recovery.RecoverySocket.call;
import static io.realtime.gateway.recovery.RecoverySocket.connect;
import static io.realtime.gateway.recovery.RecoverySocket.event;
import static io.realtime.gateway.recovery.RecoverySocket.isGone;
import static io.realtime.gateway.recovery.RecoverySocket.lastOffset;
import static io.realtime.gateway.recovery.RecoverySocket.toRoom;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * netty-socketio's room operations with connection state recovery on the streams transport: a broadcast is one entry
 * of the stream, which each node hands to its own members of the room once, and which a member that was away gets
 * replayed on any node.
 */
class RoomOperationsClusterRecoveryTest {

    private static TestNode a;
    private static TestNode b;

    @BeforeAll
    static void start() {
        RedisFixture redis = RedisFixture.shared();
        String[] flags = {"--redisUrl=" + redis.uri(), "--redisAdapter=streams", "--redisKey=room-ops-" + UUID.randomUUID(),
                "--pingInterval=25000", "--pingTimeout=20000", "--connectionStateRecovery=true", "--dashboardInterval=60000"};
        a = TestNode.start(flags);
        b = TestNode.start(flags);
    }

    @AfterAll
    static void stop() {
        for (TestNode node : new TestNode[] {a, b}) {
            if (node != null) {
                node.close();
            }
        }
    }

    @Test
    void aRoomBroadcastIsOneStreamEntryDeliveredOnceOnEachNodeAndReplayedToAnAwayMember() throws Exception {
        try (RecoverySocket onA = connect(a, null); RecoverySocket onB = connect(b, null)) {
            call(onA, 1, "[\"join\",\"rx\"]", 0);
            call(onB, 1, "[\"join\",\"rx\"]", 0);
            RecoverySocket away = connect(b, null);
            call(away, 1, "[\"join\",\"rx\"]", 0);
            String offset = lastOffset(call(away, 2, toRoom(away.sid(), 1, 1), 1));
            away.ws().close();
            await().atMost(Duration.ofSeconds(5)).until(() -> isGone(b, away.sid()));

            List<JsonNode> sent = call(onA, 2, toRoom("rx", 9, 1).replace("to-room", "to-room-direct"), 1);
            String entry = lastOffset(sent);
            assertThat(entry).matches("[0-9]+-[0-9]+");
            JsonNode there = event(onB.ws());
            assertThat(there.get(1).asInt()).isEqualTo(9);
            assertThat(there.get(2).asText()).isEqualTo(entry);
            // Once each: what comes next on either socket is the answer to its next call.
            assertThat(call(onA, 3, "[\"state\"]", 0)).hasSize(1);
            assertThat(call(onB, 2, "[\"state\"]", 0)).hasSize(1);

            try (RecoverySocket recovered = connect(a, "{\"pid\":\"" + away.pid() + "\",\"offset\":\"" + offset + "\"}")) {
                assertThat(recovered.sid()).isEqualTo(away.sid());
                assertThat(recovered.beforeConnect()).extracting(e -> e.get(0).asText() + " " + e.get(1).asInt() + " " + e.get(2).asText())
                        .containsExactly("news 9 " + entry);
            }
        }
    }
}
