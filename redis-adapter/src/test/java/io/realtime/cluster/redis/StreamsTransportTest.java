package io.realtime.cluster.redis;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.SocketIOServer;
import io.realtime.cluster.BroadcastOptions;
import io.realtime.cluster.Cluster;
import io.realtime.cluster.ClusterObserver;
import io.realtime.cluster.ClusterPacket;
import io.realtime.cluster.RedisAdapterOptions;
import io.realtime.cluster.TransportKind;
import io.realtime.cluster.core.ClusterMessage.Broadcast;
import io.realtime.cluster.core.ClusterMessage.FetchSockets;
import io.realtime.cluster.core.ClusterMessage.SocketsJoin;
import io.realtime.cluster.core.NamespaceChannel;
import io.realtime.cluster.recovery.RecoveryOptions;
import io.realtime.cluster.recovery.RestoreRefusal;
import io.realtime.cluster.recovery.SessionRecovery;
import io.realtime.cluster.recovery.SessionState;
import io.realtime.cluster.testing.RedisFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The streams transport against a real Redis: what goes in the stream, what over pub/sub, offsets, trimming. */
class StreamsTransportTest {

    private final List<RedisTransport> transports = new ArrayList<>();
    private final String stream = "streams-test-" + UUID.randomUUID();

    private RedisTransport transport(long maxLen) {
        return transport(maxLen, Duration.ofSeconds(5));
    }

    private RedisTransport transport(long maxLen, Duration requestTimeout) {
        return transport(RedisFixture.shared(), maxLen, requestTimeout);
    }

    private RedisAdapterOptions options(RedisFixture redis, long maxLen, Duration requestTimeout) {
        return RedisAdapterOptions.builder(redis.uri())
                .key(stream).transport(TransportKind.STREAMS).requestTimeout(requestTimeout)
                .streams(new RedisAdapterOptions.StreamOptions(stream, 1, maxLen, 100, stream + ":session:"))
                .build();
    }

    private RedisTransport transport(RedisFixture redis, long maxLen, Duration requestTimeout) {
        RedisTransport transport = RedisTransport.connect(options(redis, maxLen, requestTimeout), ClusterObserver.NONE);
        transports.add(transport);
        return transport;
    }

    @AfterEach
    void close() {
        transports.forEach(RedisTransport::close);
    }

    private static String xlen(String key) {
        RedisFixture redis = RedisFixture.shared();
        return RedisFixture.command(redis.host(), redis.port(), "XLEN", key);
    }

    @Test
    void broadcastsAndJoinsAreStreamEntriesEveryNodeReadsInOrderWithTheEntryIdAsOffset() {
        StreamRecorder onA = new StreamRecorder();
        StreamRecorder onB = new StreamRecorder();
        NamespaceChannel a = transport(10_000).open("/", onA);
        transport(10_000).open("/", onB);
        await().atMost(Duration.ofSeconds(5)).until(() -> a.serverCount().toCompletableFuture().join() == 2);

        String first = a.append(new Broadcast(a.uid(), ClusterPacket.of("e", 1), BroadcastOptions.ALL, null)).toCompletableFuture().join();
        a.publish(new SocketsJoin(a.uid(), BroadcastOptions.ALL, Set.of("r"))).toCompletableFuture().join();
        String third = a.append(new Broadcast(a.uid(), ClusterPacket.of("e", 2), BroadcastOptions.ALL, null)).toCompletableFuture().join();

        assertThat(first).matches("[0-9]+-[0-9]+");
        for (StreamRecorder recorder : List.of(onA, onB)) {
            // The sender reads its own entries too: the core delivers its broadcasts at their offsets.
            await().atMost(Duration.ofSeconds(5)).until(() -> recorder.received.size() == 3);
            assertThat(recorder.received).extracting(r -> r.message().type().name())
                    .containsExactly("BROADCAST", "SOCKETS_JOIN", "BROADCAST");
            assertThat(recorder.received.get(0).offset()).isEqualTo(first);
            assertThat(recorder.received.get(2).offset()).isEqualTo(third);
        }
        assertThat(xlen(stream)).isEqualTo(":3");
    }

    private Optional<Thread> reader() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().equals("stream-reader-" + stream)).findFirst();
    }

    @Test
    void aFatalErrorDeliveringAnEntryEndsTheReaderAndTheClusterSaysItIsBrokenForGood() {
        // Not started: the cluster only needs its namespaces, and nothing listens.
        SocketIOServer server = new SocketIOServer(new Configuration());
        // Called on the reader's thread for every broadcast read back, as any part of the delivery could fail.
        ClusterObserver failing = new ClusterObserver() {
            @Override
            public void delivered(String namespace, int recipients) {
                throw new InternalError("the JVM is broken");
            }
        };
        try (Cluster cluster = Cluster.redis(server, options(RedisFixture.shared(), 10_000, Duration.ofSeconds(5)), failing)) {
            cluster.of("/");
            assertThat(cluster.failure()).isEmpty();

            cluster.of("/").emit("e", 1);

            // The reader's thread ends on the error, as it should: Awaitility would take it for the test's own.
            await().dontCatchUncaughtExceptions().atMost(Duration.ofSeconds(5)).until(() -> cluster.failure().isPresent());
            assertThat(cluster.failure().get()).contains("the reader of stream " + stream, "stopped at entry",
                    "java.lang.InternalError: the JVM is broken");
            await().atMost(Duration.ofSeconds(5)).until(() -> reader().isEmpty());
            // Redis itself is fine: only this node's reader is gone, which no reconnection brings back.
            assertThat(cluster.isConnected()).isTrue();
        }
    }

    @Test
    void aReaderWhoseThreadIsInterruptedStopsAndItsTransportSaysItIsBrokenForGood() {
        RedisTransport transport = transport(10_000);
        transport.open("/", new StreamRecorder());
        assertThat(transport.failure()).isEmpty();

        reader().orElseThrow().interrupt();

        await().atMost(Duration.ofSeconds(5)).until(() -> transport.failure().isPresent());
        assertThat(transport.failure().get()).isEqualTo("the reader of stream " + stream + " was interrupted");
        await().atMost(Duration.ofSeconds(5)).until(() -> reader().isEmpty());
    }

    @Test
    void anOwnBroadcastWhoseAppendTimedOutButReachedRedisIsNotGivenBackToItsNode() {
        try (RedisFixture redis = RedisFixture.ownServer()) {
            StreamRecorder onA = new StreamRecorder();
            StreamRecorder onB = new StreamRecorder();
            NamespaceChannel a = transport(redis, 10_000, Duration.ofMillis(300)).open("/", onA);
            transport(redis, 10_000, Duration.ofSeconds(5)).open("/", onB);
            await().atMost(Duration.ofSeconds(5)).until(() -> a.serverCount().toCompletableFuture().join() == 2);

            // Redis holds every write for a while: the XADD times out here, and Redis applies it afterwards.
            RedisFixture.command(redis.host(), redis.port(), "CLIENT", "PAUSE", "1500", "WRITE");
            assertThatThrownBy(() -> a.append(broadcast(a, 1)).toCompletableFuture().join())
                    .isInstanceOf(CompletionException.class);
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> RedisFixture.command(redis.host(), redis.port(), "XLEN", stream).equals(":1"));
            a.append(broadcast(a, 2)).toCompletableFuture().join();

            for (StreamRecorder recorder : List.of(onA, onB)) {
                await().atMost(Duration.ofSeconds(5)).until(() -> recorder.received.stream()
                        .anyMatch(received -> firstArgument(received).equals(2)));
            }
            // The core gave the first to A's sockets when its append failed; only the other node reads it.
            assertThat(onA.received).extracting(StreamsTransportTest::firstArgument).containsExactly(2);
            assertThat(onB.received).extracting(StreamsTransportTest::firstArgument).containsExactly(1, 2);
            transports.forEach(RedisTransport::close);
            transports.clear();
        }
    }

    private static Broadcast broadcast(NamespaceChannel from, int value) {
        return new Broadcast(from.uid(), ClusterPacket.of("e", value), BroadcastOptions.ALL, null);
    }

    private static Object firstArgument(StreamRecorder.Received received) {
        return ((Broadcast) received.message()).packet().args().get(0);
    }

    @Test
    void anIdleStreamIsReadWithoutTimeoutsWhenTheRequestTimeoutIsShorterThanASecond() {
        Logger logger = (Logger) LoggerFactory.getLogger(StreamReader.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            StreamRecorder reader = new StreamRecorder();
            NamespaceChannel a = transport(10_000, Duration.ofMillis(300)).open("/", reader);

            // Several idle reads: each would time out if it blocked past the request timeout.
            await("no failed stream read").during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3))
                    .until(() -> appender.list.isEmpty());
            a.append(new Broadcast(a.uid(), ClusterPacket.of("e", 1), BroadcastOptions.ALL, null)).toCompletableFuture().join();

            await().atMost(Duration.ofSeconds(2)).until(() -> reader.received.size() == 1);
            assertThat(appender.list).isEmpty();
        } finally {
            logger.detachAppender(appender);
        }
    }

    @Test
    void requestsGoOverPubSubNotTheStream() {
        StreamRecorder onB = new StreamRecorder();
        NamespaceChannel a = transport(10_000).open("/chat", new StreamRecorder());
        transport(10_000).open("/chat", onB);
        await().atMost(Duration.ofSeconds(5)).until(() -> a.serverCount().toCompletableFuture().join() == 2);

        a.publish(new FetchSockets(a.uid(), "req-1", BroadcastOptions.ALL)).toCompletableFuture().join();

        await().atMost(Duration.ofSeconds(5)).until(() -> !onB.received.isEmpty());
        assertThat(onB.received.get(0).message()).isInstanceOf(FetchSockets.class);
        assertThat(onB.received.get(0).offset()).isNull();
        assertThat(xlen(stream)).isEqualTo(":0");
    }

    /**
     * Each reader's blocking read ends on its own, up to a second after it is told to stop: told one after the other,
     * eight readers took about eight seconds (their reads, started together, end together), past the two seconds the
     * node's stop budgets for them.
     */
    @Test
    void closingATransportsReadersWaitsForOneBlockingReadNotOneEach() {
        int streams = 8;
        RedisTransport transport = RedisTransport.connect(RedisAdapterOptions.builder(RedisFixture.shared().uri())
                .key(stream).transport(TransportKind.STREAMS).requestTimeout(Duration.ofSeconds(5))
                .streams(new RedisAdapterOptions.StreamOptions(stream, streams, 1000, 100, stream + ":session:"))
                .build(), ClusterObserver.NONE);
        Set<String> opened = new java.util.HashSet<>();
        for (int i = 0; opened.size() < streams; i++) {
            String namespace = "/n" + i;
            transport.open(namespace, new StreamRecorder());
            opened.add(StreamsTransport.streamOf(namespace, stream, streams));
        }
        transport.awaitOpened();
        await().atMost(Duration.ofSeconds(5)).until(() -> Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().startsWith("stream-reader-" + stream + "-")).count() == streams);

        long started = System.nanoTime();
        transport.close();
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(took).isLessThan(Duration.ofMillis(2500));
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(thread -> thread.getName().startsWith("stream-reader-" + stream));
    }

    @Test
    void aNamespaceIsHashedToItsStreamAsTheAdapterDoes() {
        // Values computed with the adapter's hashCode in Node: 46457863 % 3 = 1; -1014064871 % 3 = -2 (JS keeps the sign).
        assertThat(StreamsTransport.streamOf("/chat", "socket.io", 3)).isEqualTo("socket.io-1");
        assertThat(StreamsTransport.streamOf("/notifications", "socket.io", 3)).isEqualTo("socket.io--2");
        assertThat(StreamsTransport.streamOf("/", "socket.io", 1)).isEqualTo("socket.io");
    }

    /** Waits until the session of {@code pid} is kept in Redis (its write is asynchronous). */
    /** A namespace's streams recovery, fed by the stream's reader, and the offset of a first entry the reader read. */
    private record Reading(StreamSessionRecovery recovery, String offset) {
    }

    private Reading recoveryAfterOneEntry() {
        StreamRecorder reader = new StreamRecorder();
        NamespaceChannel a = transport(10_000).open("/", reader);
        StreamSessionRecovery recovery = (StreamSessionRecovery) a.recovery(new RecoveryOptions(Duration.ofSeconds(30), 10), "data");
        reader.recovery = recovery;
        String offset = a.append(new Broadcast(a.uid(), ClusterPacket.of("e", 0), BroadcastOptions.ALL, null)).toCompletableFuture().join();
        await().atMost(Duration.ofSeconds(5)).until(() -> reader.received.size() == 1);
        return new Reading(recovery, offset);
    }

    private void awaitKept(String pid) {
        await().atMost(Duration.ofSeconds(5)).until(() -> !RedisFixture.command(RedisFixture.shared().host(),
                RedisFixture.shared().port(), "EXISTS", stream + ":session:" + pid).equals(":0"));
    }

    @Test
    void aTrimmedOffsetOrAnUnknownSessionRestoresNothingAndAKeptOneIsTakenOnce() {
        StreamRecorder reader = new StreamRecorder();
        NamespaceChannel a = transport(10).open("/", reader);
        SessionRecovery recovery = a.recovery(new RecoveryOptions(Duration.ofSeconds(30), 10), "data");
        reader.recovery = recovery;
        String oldest = a.append(new Broadcast(a.uid(), ClusterPacket.of("e", 0), BroadcastOptions.ALL, null)).toCompletableFuture().join();
        String recent = oldest;
        // MAXLEN ~ trims whole nodes of 100 entries: 250 entries drop the first node, the offset with it.
        for (int i = 1; i <= 250; i++) {
            recent = a.append(new Broadcast(a.uid(), ClusterPacket.of("e", i), BroadcastOptions.ALL, null)).toCompletableFuture().join();
        }
        a.append(new Broadcast(a.uid(), ClusterPacket.of("after", 1), BroadcastOptions.ALL, null)).toCompletableFuture().join();
        SessionState session = new SessionState("sid-1", "pid-1", List.of("sid-1"), Map.of("data", Map.of("n", 1)));
        recovery.persist(session);
        String recentOffset = recent;
        awaitKept("pid-1");

        assertThat(recovery.restore("pid-1", oldest, Runnable::run, s -> { }).toCompletableFuture().join().refusal())
                .as("the offset was trimmed: a partial replay is refused").isEqualTo(RestoreRefusal.OFFSET_GONE);
        assertThat(recovery.restore("unknown", recentOffset, Runnable::run, s -> { }).toCompletableFuture().join().refusal())
                .isEqualTo(RestoreRefusal.UNKNOWN_SESSION);
        assertThat(recovery.restore("pid-1", "not-an-offset", Runnable::run, s -> { }).toCompletableFuture().join().refusal())
                .isEqualTo(RestoreRefusal.MALFORMED_OFFSET);
        var restored = recovery.restore("pid-1", recentOffset, Runnable::run, s -> { }).toCompletableFuture().join();
        assertThat(restored.isRecovered()).isTrue();
        assertThat(restored.session().state().attributes()).containsEntry("data", Map.of("n", 1));
        assertThat(restored.session().missed()).extracting(ClusterPacket::event).containsExactly("after");
        assertThat(recovery.restore("pid-1", recentOffset, Runnable::run, s -> { }).toCompletableFuture().join().refusal())
                .as("taken once").isEqualTo(RestoreRefusal.UNKNOWN_SESSION);
    }

    @Test
    void aRestoreInProgressKeepsOnlyWhatItsSessionsRoomsSelect() {
        Reading reading = recoveryAfterOneEntry();
        StreamSessionRecovery recovery = reading.recovery();
        String offset = reading.offset();
        recovery.persist(new SessionState("sid-4", "pid-4", List.of("sid-4", "mine"), Map.of()));
        awaitKept("pid-4");

        // The restore has read its session and waits for the socket's loop, as it would in a busy reconnect storm.
        List<Runnable> loop = new CopyOnWriteArrayList<>();
        var restoring = recovery.restore("pid-4", offset, loop::add, s -> { }).toCompletableFuture();
        await().atMost(Duration.ofSeconds(5)).until(() -> loop.size() == 1);
        long later = Long.parseLong(offset.substring(0, offset.indexOf('-'))) + 1;
        BroadcastOptions elsewhere = new BroadcastOptions(Set.of("elsewhere"), Set.of(), false, false, null);
        for (int i = 0; i < 1_000; i++) {
            recovery.delivered(later + "-" + i, ClusterPacket.of("other", i), elsewhere, packet -> () -> { });
        }
        recovery.delivered(later + "-1000", ClusterPacket.of("news", 1),
                new BroadcastOptions(Set.of("mine"), Set.of(), false, false, null), packet -> () -> { });

        assertThat(recovery.heldByRestores()).as("only the session's own room's entry is held").isEqualTo(1);
        loop.forEach(Runnable::run);
        assertThat(restoring.join().session().missed()).extracting(ClusterPacket::event).containsExactly("news");
        assertThat(recovery.heldByRestores()).isZero();
    }

    @Test
    void aReplayIsDecodedOnTheClustersWorkThreadNotOnTheThreadReadingRedis() {
        StreamRecorder reader = new StreamRecorder();
        RedisTransport transport = transport(10_000);
        NamespaceChannel a = transport.open("/", reader);
        StreamSessionRecovery recovery = (StreamSessionRecovery) a.recovery(new RecoveryOptions(Duration.ofSeconds(30), 10), "data");
        reader.recovery = recovery;
        String offset = a.append(broadcast(a, 0)).toCompletableFuture().join();
        for (int i = 1; i <= 3; i++) {
            a.append(broadcast(a, i)).toCompletableFuture().join();
        }
        // Every entry delivered here already: the restore attaches as soon as its replay is decoded, on that thread.
        await().atMost(Duration.ofSeconds(5)).until(() -> reader.received.size() == 4);
        recovery.persist(new SessionState("sid-6", "pid-6", List.of("sid-6"), Map.of()));
        awaitKept("pid-6");

        java.util.concurrent.atomic.AtomicReference<Thread> attachedOn = new java.util.concurrent.atomic.AtomicReference<>();
        var restored = recovery.restore("pid-6", offset, Runnable::run, session -> attachedOn.set(Thread.currentThread()))
                .toCompletableFuture().orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join();

        assertThat(restored.isRecovered()).isTrue();
        assertThat(restored.session().missed()).extracting(packet -> packet.args().get(0)).containsExactly(1, 2, 3);
        // The attach runs where the decode ended: on the cluster's work thread, or on this thread when the whole chain
        // was done before it finished registering its stages (a busy machine); never on the thread reading Redis, nor
        // on the scheduler that flushes the publishes.
        assertThat(attachedOn.get() == Thread.currentThread() || attachedOn.get().getName().equals("socketio-cluster-work"))
                .as("on the cluster's work thread or the caller, not on %s", attachedOn.get().getName()).isTrue();
    }

    @Test
    void aRestoreThatWaitsForALiveOwnerHoldsNothingTheReaderDelivers() {
        Reading reading = recoveryAfterOneEntry();
        StreamSessionRecovery recovery = reading.recovery();
        String offset = reading.offset();
        // The socket is still connected here: a client naming its pid waits for it to end, then is refused.
        recovery.opened(new SessionState("sid-5", "pid-5", List.of("sid-5"), Map.of()));
        awaitKept("pid-5");

        var restoring = recovery.restore("pid-5", offset, Runnable::run, s -> { }).toCompletableFuture();
        long later = Long.parseLong(offset.substring(0, offset.indexOf('-'))) + 1;
        for (int i = 0; i < 1_000; i++) {
            recovery.delivered(later + "-" + i, ClusterPacket.of("news", i), BroadcastOptions.ALL, packet -> () -> { });
        }

        assertThat(recovery.heldByRestores()).as("entries held for a restore that has no session yet").isZero();
        assertThat(restoring.join().refusal()).isEqualTo(RestoreRefusal.STILL_CONNECTED);
    }

    @Test
    void aSessionWhoseDataCannotBeWrittenIsNotKeptAndItsCallerGoesOn() {
        NamespaceChannel a = transport(10).open("/", new StreamRecorder());
        SessionRecovery recovery = a.recovery(new RecoveryOptions(Duration.ofSeconds(30), 10), "data");
        java.util.concurrent.ScheduledExecutorService scheduler = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        // An object of the JDK's that is no plain data (and that Jackson may not even look into).
        Object timer = scheduler.schedule(() -> { }, 1, java.util.concurrent.TimeUnit.HOURS);
        scheduler.shutdownNow();
        SessionState session = new SessionState("sid-2", "pid-2", List.of("sid-2"), Map.of("data", Map.of("timer", timer)));

        recovery.opened(session);
        recovery.persist(session);
        recovery.persist(new SessionState("sid-3", "pid-3", List.of("sid-3"), Map.of("data", Map.of("n", 3))));

        awaitKept("pid-3");
        assertThat(RedisFixture.command(RedisFixture.shared().host(), RedisFixture.shared().port(),
                "EXISTS", stream + ":session:pid-2")).isEqualTo(":0");
    }
}
