package io.realtime.gateway.recovery;

import com.fasterxml.jackson.databind.JsonNode;
import io.realtime.cluster.testing.RedisFixture;
import io.realtime.gateway.testing.TestNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
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
 * Connection state recovery across a cluster on the streams transport, on the wire: a session started on node A is
 * recovered on node B with its id, rooms, data and every packet sent to it meanwhile (offsets are stream ids).
 */
class ClusterRecoveryTest {

    private static TestNode a;
    private static TestNode b;

    @BeforeAll
    static void start() {
        RedisFixture redis = RedisFixture.shared();
        String[] flags = {"--redisUrl=" + redis.uri(), "--redisAdapter=streams", "--redisKey=recovery-" + UUID.randomUUID(),
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
    void aSessionStartedOnOneNodeIsRecoveredOnAnotherWithWhatItMissedInOrder() throws Exception {
        RecoverySocket first = connect(a, null);
        call(first, 1, "[\"join\",\"r1\"]", 0);
        call(first, 2, "[\"set-data\",{\"n\":7}]", 0);
        List<JsonNode> before = call(first, 3, toRoom("r1", 1, 2), 2);
        assertThat(before.subList(0, 2)).extracting(e -> e.get(1).asInt()).containsExactly(1, 2);
        // A socket's own event (netty-socketio's room operations) is a stream entry too.
        List<JsonNode> direct = call(first, 4, toRoom("r1", 100, 1).replace("to-room", "to-room-direct"), 1);
        String offset = lastOffset(direct);
        assertThat(offset).matches("[0-9]+-[0-9]+");
        first.ws().close();
        await().atMost(Duration.ofSeconds(5)).until(() -> isGone(a, first.sid()));

        try (RecoverySocket other = connect(b, null)) {
            call(other, 1, toRoom("r1", 3, 3), 0);
            call(other, 2, toRoom("elsewhere", 100, 2), 0);

            try (RecoverySocket recovered = connect(b, "{\"pid\":\"" + first.pid() + "\",\"offset\":\"" + offset + "\"}")) {
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

                try (RecoverySocket again = connect(a, "{\"pid\":\"" + first.pid() + "\",\"offset\":\"" + offset + "\"}")) {
                    assertThat(again.sid()).isNotEqualTo(first.sid());
                    assertThat(again.early()).isEmpty();
                }
            }
        }
    }

    @Test
    void packetsSentWhileTheRestoreIsUnderWayArriveOnceInOrder() throws Exception {
        RecoverySocket first = connect(a, null);
        call(first, 1, "[\"join\",\"busy\"]", 0);
        String offset = lastOffset(call(first, 2, toRoom("busy", 0, 1), 1));
        first.ws().close();
        await().atMost(Duration.ofSeconds(5)).until(() -> isGone(a, first.sid()));

        try (RecoverySocket sender = connect(a, null)) {
            int total = 400;
            // The sender's node publishes while the client reconnects to the other node.
            sender.ws().sendText("429" + toRoom("busy", 1, total));
            try (RecoverySocket recovered = connect(b, "{\"pid\":\"" + first.pid() + "\",\"offset\":\"" + offset + "\"}")) {
                assertThat(recovered.sid()).isEqualTo(first.sid());
                List<Integer> numbers = new ArrayList<>();
                recovered.early().forEach(e -> numbers.add(e.get(1).asInt()));
                while (numbers.size() < total) {
                    numbers.add(event(recovered.ws()).get(1).asInt());
                }
                List<Integer> expected = new ArrayList<>();
                for (int i = 1; i <= total; i++) {
                    expected.add(i);
                }
                assertThat(numbers).isEqualTo(expected);
            }
        }
    }

    @Test
    void wrongOffsetsGiveANewSessionWithoutSpendingIt() throws Exception {
        RecoverySocket owner = connect(a, null);
        String offset = lastOffset(call(owner, 1, toRoom(owner.sid(), 1, 1), 1));
        owner.ws().close();
        await().atMost(Duration.ofSeconds(5)).until(() -> isGone(a, owner.sid()));
        String pid = owner.pid();
        double goneBefore = failures(b, "offset_gone");
        double invalidBefore = failures(b, "invalid");
        for (String bad : List.of("1-0", "0-0", "99999999999999-0", "1", "x-1", "-1-0", "18446744073709551616-0")) {
            try (RecoverySocket fresh = connect(b, "{\"pid\":\"" + pid + "\",\"offset\":\"" + bad + "\"}")) {
                assertThat(fresh.sid()).as(bad).isNotEqualTo(owner.sid());
                assertThat(fresh.early()).isEmpty();
            }
        }
        assertThat(failures(b, "offset_gone") - goneBefore).as("well-formed offsets the stream does not hold").isEqualTo(3);
        assertThat(failures(b, "invalid") - invalidBefore).as("offsets that are not stream ids").isEqualTo(4);
        try (RecoverySocket recovered = connect(b, "{\"pid\":\"" + pid + "\",\"offset\":\"" + offset + "\"}")) {
            assertThat(recovered.sid()).isEqualTo(owner.sid());
        }
    }

    @Test
    void aPidWithoutAnOffsetGivesANewSessionCountedAsNoOffsetNotInvalid() throws Exception {
        // socket.io-client's CONNECT after a cut when its socket had received no broadcast: {pid}, no offset key.
        RecoverySocket quiet = connect(a, null);
        quiet.ws().close();
        await().atMost(Duration.ofSeconds(5)).until(() -> isGone(a, quiet.sid()));
        double noOffsetBefore = failures(b, "no_offset");
        double invalidBefore = failures(b, "invalid");
        try (RecoverySocket fresh = connect(b, "{\"pid\":\"" + quiet.pid() + "\"}")) {
            assertThat(fresh.sid()).isNotEqualTo(quiet.sid());
        }
        assertThat(failures(b, "no_offset") - noOffsetBefore).isEqualTo(1);
        assertThat(failures(b, "invalid") - invalidBefore).isZero();
    }

    @Test
    void thePidOfASocketStillConnectedElsewhereIsNotTakenAndCountsAsStillConnected() throws Exception {
        try (RecoverySocket owner = connect(a, null)) {
            String offset = lastOffset(call(owner, 1, toRoom(owner.sid(), 1, 1), 1));
            double before = failures(b, "still_connected");
            try (RecoverySocket thief = connect(b, "{\"pid\":\"" + owner.pid() + "\",\"offset\":\"" + offset + "\"}")) {
                assertThat(thief.sid()).isNotEqualTo(owner.sid());
            }
            assertThat(failures(b, "still_connected") - before).isEqualTo(1);
            assertThat(isGone(a, owner.sid())).as("the owner keeps its socket").isFalse();
        }
    }

    /** socketio_recoveries_failed_total for {@code reason} on {@code node}. */
    private static double failures(TestNode node, String reason) {
        String prefix = "socketio_recoveries_failed_total{reason=\"" + reason + "\"} ";
        return node.scrape().lines().filter(line -> line.startsWith(prefix))
                .mapToDouble(line -> Double.parseDouble(line.substring(prefix.length()))).findFirst().orElseThrow();
    }

    /**
     * netty-socketio's room operations with connection state recovery on the streams transport: a broadcast is one
     * entry of the stream, which each node hands to its own members of the room once, and which a member that was away
     * gets replayed on any node.
     */
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
