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
        for (int i = 0; i < 5; i++) {
            send("b", Set.of(), Set.of());
        }
        recovery.persist(session("p"));

        // The log holds 5 packets: the first was trimmed, so part of what followed it could be missing.
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
