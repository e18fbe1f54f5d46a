package io.realtime.cluster.recovery;

import io.realtime.cluster.BroadcastOptions;
import io.realtime.cluster.ClusterPacket;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class InMemorySessionRecoveryTest {

    private static final class MutableClock extends Clock {
        long millis = 1_000_000;

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }
    }

    private final MutableClock clock = new MutableClock();
    private final InMemorySessionRecovery recovery =
            new InMemorySessionRecovery(new RecoveryOptions(Duration.ofSeconds(10), 5), clock);

    private String send(String event, Set<String> rooms, Set<String> except) {
        List<ClusterPacket> delivered = new ArrayList<>();
        recovery.broadcast(ClusterPacket.of(event, 1), new BroadcastOptions(rooms, except, false, false, null), collect(delivered));
        List<Object> args = delivered.get(0).args();
        return (String) args.get(args.size() - 1);
    }

    private static java.util.function.Function<ClusterPacket, Runnable> collect(List<ClusterPacket> into) {
        return packet -> () -> into.add(packet);
    }

    private Optional<RecoveredSession> restore(String pid, String offset, java.util.function.Consumer<RecoveredSession> attach) {
        return Optional.ofNullable(recovery.restore(pid, offset, Runnable::run, attach).toCompletableFuture().join().session());
    }

    private RestoreResult restoreResult(String pid, String offset) {
        return recovery.restore(pid, offset, Runnable::run, s -> { }).toCompletableFuture().join();
    }

    private static SessionState session(String pid, String... rooms) {
        return new SessionState("sid-" + pid, pid, List.of(rooms), Map.of("data", 7));
    }

    @Test
    void replaysWhatTheRoomsSelectAfterTheOffsetInOrderAndOnlyOnce() {
        String offset = send("a", Set.of(), Set.of());
        send("to-r1", Set.of("r1"), Set.of());
        send("to-r2", Set.of("r2"), Set.of());
        send("all-but-r1", Set.of(), Set.of("r1"));
        send("to-me", Set.of("sid-p"), Set.of());
        recovery.persist(session("p", "sid-p", "r1"));

        List<RecoveredSession> attached = new ArrayList<>();
        Optional<RecoveredSession> found = restore("p", offset, attached::add);

        assertThat(found).isPresent();
        assertThat(attached).hasSize(1);
        assertThat(found.get().state().attributes()).containsEntry("data", 7);
        assertThat(found.get().missed()).extracting(ClusterPacket::event).containsExactly("to-r1", "to-me");
        assertThat(found.get().missed().get(0).args()).hasSize(2);
        assertThat(restoreResult("p", offset).refusal()).as("taken once").isEqualTo(RestoreRefusal.UNKNOWN_SESSION);
    }

    @Test
    void volatilePacketsHaveNoOffsetAndAreNotKept() {
        String offset = send("a", Set.of(), Set.of());
        List<ClusterPacket> delivered = new ArrayList<>();
        recovery.broadcast(ClusterPacket.of("v", 1), BroadcastOptions.ALL.asVolatile(), collect(delivered));
        recovery.persist(session("p"));

        assertThat(delivered.get(0).args()).containsExactly(1);
        assertThat(restore("p", offset, s -> { }).orElseThrow().missed()).isEmpty();
    }

    @Test
    void unknownTrimmedOrMalformedOffsetsAndExpiredSessionsRecoverNothing() {
        String first = send("a", Set.of(), Set.of());
        send("a", Set.of(), Set.of());
        for (int i = 0; i < 5; i++) {
            send("b", Set.of(), Set.of());
        }
        recovery.persist(session("p"));

        // The log holds the 5 b's: the a after the first offset was trimmed, and the client may have missed it.
        for (String offset : List.of(first, "0", "99999")) {
            assertThat(restoreResult("p", offset).refusal()).as(offset).isEqualTo(RestoreRefusal.OFFSET_GONE);
        }
        for (String offset : List.of("-1", "1e3", "", "x".repeat(100), "1234567890123456789")) {
            assertThat(restoreResult("p", offset).refusal()).as(offset).isEqualTo(RestoreRefusal.MALFORMED_OFFSET);
        }
        assertThat(restoreResult("unknown", "3").refusal()).isEqualTo(RestoreRefusal.UNKNOWN_SESSION);
        assertThat(restoreResult(null, "3").refusal()).isEqualTo(RestoreRefusal.UNKNOWN_SESSION);

        clock.millis += 10_001;
        assertThat(recovery.sessionCount()).isZero();
        assertThat(restoreResult("p", "6").refusal()).as("expired").isEqualTo(RestoreRefusal.UNKNOWN_SESSION);
    }

    @Test
    void anOffsetAfterWhichTheLogHoldsEverythingRecoversEvenWhenTheLogAgedOut() {
        String beforeTheLog = send("a", Set.of(), Set.of());
        for (int i = 0; i < 5; i++) {
            send("b", Set.of(), Set.of());
        }
        recovery.persist(session("p"));
        // The a was trimmed, but the client had it: everything after it is held.
        assertThat(restore("p", beforeTheLog, s -> { }).orElseThrow().missed()).extracting(ClusterPacket::event)
                .containsExactly("b", "b", "b", "b", "b");

        String beforeTheLast = send("c", Set.of(), Set.of());
        String last = send("c", Set.of(), Set.of());
        clock.millis += 6_000;
        recovery.persist(session("q"));
        recovery.persist(session("r"));
        clock.millis += 4_001;
        // Quiet for longer than maxDisconnectionDuration: the log aged out to empty, and the sessions are still kept.
        // The client that had the last packet missed nothing; the one that had not missed it.
        assertThat(restore("q", last, s -> { }).orElseThrow().missed()).isEmpty();
        assertThat(restoreResult("r", beforeTheLast).refusal()).isEqualTo(RestoreRefusal.OFFSET_GONE);
    }

    @Test
    void anOffsetThisLogNeverWroteIsRefusedEvenNextToWhatItHolds() {
        InMemorySessionRecovery fromOne = new InMemorySessionRecovery(new RecoveryOptions(Duration.ofSeconds(10), 5), clock, 1);
        fromOne.persist(session("p"));
        // Nothing written yet: "0" is just before the (empty) log, but no packet of this log ever had it.
        assertThat(fromOne.restore("p", "0", Runnable::run, s -> { }).toCompletableFuture().join().refusal())
                .isEqualTo(RestoreRefusal.OFFSET_GONE);

        // A node that restarts starts a new log: an offset of the old one is not taken for the new one's number.
        String old = send("a", Set.of(), Set.of());
        InMemorySessionRecovery restarted = new InMemorySessionRecovery(new RecoveryOptions(Duration.ofSeconds(10), 5), clock);
        List<ClusterPacket> delivered = new ArrayList<>();
        restarted.broadcast(ClusterPacket.of("e", 1), BroadcastOptions.ALL, collect(delivered));
        restarted.persist(session("p"));
        assertThat(restarted.restore("p", old, Runnable::run, s -> { }).toCompletableFuture().join().refusal())
                .isEqualTo(RestoreRefusal.OFFSET_GONE);
    }

    @Test
    void theLogIsBoundedByTheEstimatedBytesOfWhatItHolds() {
        // 5 MiB: two 1 MB messages (two bytes a character) fit, three do not.
        InMemorySessionRecovery bounded = new InMemorySessionRecovery(
                new RecoveryOptions(Duration.ofSeconds(10), 10_000).withMaxLogBytes(5L << 20), clock);
        String megabyte = "x".repeat(1_000_000);
        List<String> offsets = new ArrayList<>();
        for (Object arg : List.<Object>of("small", megabyte, megabyte, megabyte)) {
            List<ClusterPacket> delivered = new ArrayList<>();
            bounded.broadcast(ClusterPacket.of("m", arg), BroadcastOptions.ALL, collect(delivered));
            offsets.add((String) delivered.get(0).args().get(1));
        }
        bounded.persist(session("p"));
        bounded.persist(session("q"));

        // The small one and the first large one went: a client that had not had the large one gets a new session.
        assertThat(bounded.restore("p", offsets.get(0), Runnable::run, s -> { }).toCompletableFuture().join().refusal())
                .isEqualTo(RestoreRefusal.OFFSET_GONE);
        assertThat(bounded.restore("q", offsets.get(1), Runnable::run, s -> { }).toCompletableFuture().join()
                .session().missed()).hasSize(2);

        // One message past the whole budget takes the log with it: it holds consecutive numbers only.
        List<ClusterPacket> delivered = new ArrayList<>();
        bounded.broadcast(ClusterPacket.of("m", "y".repeat(3_000_000)), BroadcastOptions.ALL, collect(delivered));
        String huge = (String) delivered.get(0).args().get(1);
        bounded.persist(session("r"));
        bounded.persist(session("s"));
        assertThat(bounded.restore("r", offsets.get(3), Runnable::run, s -> { }).toCompletableFuture().join().refusal())
                .isEqualTo(RestoreRefusal.OFFSET_GONE);
        assertThat(bounded.restore("s", huge, Runnable::run, s -> { }).toCompletableFuture().join().isRecovered()).isTrue();
    }

    record Note(String text, int n) {
    }

    @Test
    void aPacketsSizeIsEstimatedFromItsArgumentsErringHigh() {
        String megabyte = "x".repeat(1_000_000);
        com.fasterxml.jackson.databind.node.ObjectNode tree = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance
                .objectNode().put("text", megabyte);
        for (Object arg : List.of(megabyte, tree, Map.of("text", megabyte), List.of(megabyte), new Object[] {megabyte},
                new Note(megabyte, 1), tree.get("text"))) {
            assertThat(PacketSize.estimate(ClusterPacket.of("e", arg), Long.MAX_VALUE)).as(arg.getClass().getName())
                    .isBetween(2_000_000L, 2_001_000L);
        }
        assertThat(PacketSize.estimate(ClusterPacket.of("e", new byte[1_000_000]), Long.MAX_VALUE)).isBetween(1_000_000L, 1_001_000L);
        // An ordinary event: 10 000 of them take a few MB, well inside the default budget.
        assertThat(PacketSize.estimate(ClusterPacket.of("chat", Map.of("room", "r1", "message", "hello", "at", 1L)),
                Long.MAX_VALUE)).isLessThan(1_000);

        // A structure that holds itself, or is nested deeper than a stack: counted up to the limit, then given up.
        List<Object> cycle = new ArrayList<>();
        cycle.add(cycle);
        assertThat(PacketSize.estimate(ClusterPacket.of("e", cycle), 1 << 20)).isGreaterThan(1 << 20);
        List<Object> deep = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            deep = new ArrayList<>(List.of(deep));
        }
        assertThat(PacketSize.estimate(ClusterPacket.of("e", deep), Long.MAX_VALUE)).isGreaterThan(100_000L * 32);
    }

    @Test
    void pastMaxSessionsTheOldestKeptSessionIsForgotten() {
        InMemorySessionRecovery bounded = new InMemorySessionRecovery(new RecoveryOptions(Duration.ofSeconds(10), 5, 2), clock);
        bounded.persist(session("p1", "r"));
        clock.millis += 1;
        bounded.persist(session("p2", "r"));
        bounded.persist(session("p1", "r"));
        bounded.persist(session("p3", "r"));

        assertThat(bounded.sessionCount()).isEqualTo(2);
        List<ClusterPacket> delivered = new ArrayList<>();
        bounded.broadcast(ClusterPacket.of("e", 1), BroadcastOptions.ALL, collect(delivered));
        String offset = (String) delivered.get(0).args().get(1);
        bounded.broadcast(ClusterPacket.of("e", 2), BroadcastOptions.ALL, collect(delivered));
        // p1 was kept again after p2: p2 is the oldest and went.
        assertThat(bounded.restore("p2", offset, Runnable::run, s -> { }).toCompletableFuture().join().refusal())
                .isEqualTo(RestoreRefusal.UNKNOWN_SESSION);
        assertThat(bounded.restore("p1", offset, Runnable::run, s -> { }).toCompletableFuture().join().isRecovered()).isTrue();
        assertThat(bounded.restore("p3", offset, Runnable::run, s -> { }).toCompletableFuture().join().isRecovered()).isTrue();
    }

    @Test
    void offsetsAreTheLogsConsecutiveNumbers() {
        assertThat(InMemorySessionRecovery.parse("42")).isEqualTo(42);
        assertThat(InMemorySessionRecovery.parse("1-0")).isEqualTo(-1);
        assertThat(InMemorySessionRecovery.parse(null)).isEqualTo(-1);
        assertThat(Long.parseLong(send("x", Set.of(), Set.of())) + 1).isEqualTo(Long.parseLong(send("y", Set.of(), Set.of())));
    }

    @Test
    void sendsRunInOffsetOrderAcrossThreads() throws Exception {
        InMemorySessionRecovery large = new InMemorySessionRecovery(new RecoveryOptions(Duration.ofSeconds(10), 100_000), clock);
        List<Long> sent = java.util.Collections.synchronizedList(new ArrayList<>());
        Runnable sender = () -> {
            for (int i = 0; i < 2_000; i++) {
                large.broadcast(ClusterPacket.of("e", i), BroadcastOptions.ALL, packet -> () -> {
                    List<Object> args = packet.args();
                    sent.add(Long.parseLong((String) args.get(args.size() - 1)));
                });
            }
        };
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread thread = new Thread(sender);
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join(30_000);
        }

        assertThat(sent).hasSize(8_000).isSorted();
    }
}
