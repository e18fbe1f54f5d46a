package io.realtime.cluster.redis;

import io.realtime.cluster.BroadcastOptions;
import io.realtime.cluster.ClusterObserver;
import io.realtime.cluster.ClusterPacket;
import io.realtime.cluster.RedisAdapterOptions;
import io.realtime.cluster.TransportKind;
import io.realtime.cluster.core.ClusterMessage;
import io.realtime.cluster.core.ClusterMessage.Broadcast;
import io.realtime.cluster.core.ClusterWork;
import io.realtime.cluster.core.NamespaceChannel;
import io.realtime.cluster.recovery.RecoveryOptions;
import io.realtime.cluster.recovery.RestoreRefusal;
import io.realtime.cluster.recovery.RestoreResult;
import io.realtime.cluster.recovery.SessionState;
import io.realtime.cluster.testing.RedisFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Restores over the streams transport where they used to go wrong: a full work queue, a stream trimmed or broken
 * while a replay reads it, a reader behind the client, data that cannot be kept, a stale socket's writes over a
 * session restored elsewhere, a namespace whose recovery is made after the reader passed its entries. A session a
 * restore took and could not restore is written back.
 */
class StreamSessionRecoveryTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final String stream = "recovery-test-" + UUID.randomUUID();
    private final List<RedisTransport> transports = new ArrayList<>();
    /** Latches holding the work thread: all let go at the end, whatever failed. */
    private final List<CountDownLatch> holds = new ArrayList<>();

    /** Hands broadcasts read back to the recovery, as the core does (when feeding). */
    /** One node's namespace "/" with its recovery; the reader feeds it unless told not to. */
    private record Node(RedisTransport transport, NamespaceChannel channel, StreamSessionRecovery recovery, StreamRecorder feeder) {
        String append(int value) {
            return appendAsync(value).join();
        }

        CompletableFuture<String> appendAsync(int value) {
            return channel.append(new Broadcast(channel.uid(), ClusterPacket.of("e", value), BroadcastOptions.ALL, null))
                    .toCompletableFuture();
        }

        ClusterWork work() {
            return transport.work();
        }

        long workQueued() {
            return transport.stats().workQueued();
        }
    }

    private Node node(boolean feeding) {
        return node(feeding, Duration.ofSeconds(30));
    }

    /** As {@link #node(boolean)}, its sessions kept {@code maxDisconnection} (refreshed every third of it, 1 s at least). */
    private Node node(boolean feeding, Duration maxDisconnection) {
        return node(feeding, maxDisconnection, RedisAdapterOptions.DEFAULT_COMMAND_QUEUE_SIZE);
    }

    /** As {@link #node(boolean, Duration)}, with at most {@code commandQueueSize} commands waiting for Redis. */
    private Node node(boolean feeding, Duration maxDisconnection, int commandQueueSize) {
        RedisTransport transport = transport(commandQueueSize);
        StreamRecorder feeder = new StreamRecorder();
        NamespaceChannel channel = transport.open("/", feeder);
        StreamSessionRecovery recovery = (StreamSessionRecovery) channel.recovery(new RecoveryOptions(maxDisconnection, 10), "data");
        if (feeding) {
            feeder.recovery = recovery;
        }
        return new Node(transport, channel, recovery, feeder);
    }

    /** A node's streams transport (one stream), with no namespace open yet. */
    private RedisTransport transport(int commandQueueSize) {
        RedisAdapterOptions options = RedisAdapterOptions.builder(RedisFixture.shared().uri())
                .key(stream).transport(TransportKind.STREAMS).requestTimeout(Duration.ofSeconds(5))
                .commandQueueSize(commandQueueSize)
                .streams(new RedisAdapterOptions.StreamOptions(stream, 1, 100_000, 100, stream + ":session:"))
                .build();
        RedisTransport transport = RedisTransport.connect(options, ClusterObserver.NONE);
        transports.add(transport);
        return transport;
    }

    @AfterEach
    void close() {
        holds.forEach(CountDownLatch::countDown);
        transports.forEach(RedisTransport::close);
    }

    private static String redis(String... command) {
        return RedisFixture.command(RedisFixture.shared().host(), RedisFixture.shared().port(), command);
    }

    private boolean kept(String pid) {
        return !redis("EXISTS", stream + ":session:" + pid).equals(":0");
    }

    private final StreamsCodec codec = new StreamsCodec("/");

    /** The stored value of a session (base64: one line, returned as a status reply), or empty. */
    private String stored(String pid) {
        return redis("EVAL", "return {ok = redis.call('GET', KEYS[1]) or ''}", "1", stream + ":session:" + pid).substring(1);
    }

    /** How many milliseconds the session of {@code pid} has left (negative when there is none). */
    private long expiresIn(String pid) {
        return Long.parseLong(redis("PTTL", stream + ":session:" + pid).substring(1));
    }

    private List<String> storedRooms(String pid) {
        String value = stored(pid);
        return value.isEmpty() ? List.of() : codec.sessionOf(value, "data").rooms();
    }

    private static SessionState session(String pid, String room) {
        return new SessionState("sid-" + pid, pid, List.of("sid-" + pid, room), Map.of());
    }

    /** A session written without owner, as a socket's recoverable disconnect leaves it. */
    private void persisted(Node node, String pid) {
        node.recovery().persist(new SessionState("sid-" + pid, pid, List.of("sid-" + pid), Map.of("data", Map.of("n", 1))));
        await().atMost(WAIT).until(() -> kept(pid));
    }

    /** A task of the test's that holds the work thread until {@code free} is counted down. */
    private record Hold(CountDownLatch started, CountDownLatch free) {
    }

    /** Queues a task that holds the work thread once it runs (as another node's request would), until freed. */
    private Hold hold(ClusterWork work) {
        Hold hold = new Hold(new CountDownLatch(1), new CountDownLatch(1));
        holds.add(hold.free());
        work.execute(() -> {
            hold.started().countDown();
            try {
                hold.free().await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return hold;
    }

    private static void started(Hold hold) throws InterruptedException {
        assertThat(hold.started().await(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aRestoreWaitsBehindAFullWorkQueueInsteadOfFailingWhileOtherNodesRequestsAreStillRefused() throws InterruptedException {
        Node node = node(true);
        String offset = node.append(0);
        for (int i = 1; i <= 3; i++) {
            node.append(i);
        }
        await().atMost(WAIT).until(() -> node.feeder().logged() == 4);
        persisted(node, "pid-1");

        // A reconnect storm while other nodes' requests fill the queue: the thread is busy, 256 requests wait.
        Hold busy = hold(node.work());
        started(busy);
        for (int i = 0; i < ClusterWork.QUEUE_CAPACITY; i++) {
            node.work().execute(() -> { });
        }
        assertThatThrownBy(() -> node.work().execute(() -> { }))
                .as("the bound still holds for other nodes' requests").isInstanceOf(RejectedExecutionException.class);

        CompletableFuture<RestoreResult> restoring = node.recovery().restore("pid-1", offset, Runnable::run, s -> { }).toCompletableFuture();
        await().atMost(WAIT).until(() -> node.workQueued() == 1 + ClusterWork.QUEUE_CAPACITY + 1);
        assertThat(restoring).as("the restore's read waits its turn").isNotDone();
        busy.free().countDown();

        RestoreResult restored = restoring.orTimeout(10, TimeUnit.SECONDS).join();
        assertThat(restored.isRecovered()).as("refused: %s", restored.refusal()).isTrue();
        assertThat(restored.session().missed()).extracting(packet -> packet.args().get(0)).containsExactly(1, 2, 3);
    }

    /** A restore stopped by {@code hold}, which the test frees. */
    private record Held(CompletableFuture<RestoreResult> restoring, Hold hold) {
    }

    /**
     * Starts a restore of {@code pid} and stops it once the first batch of its replay was read from Redis and waits
     * to be decoded (the session taken by then); the caller then changes the stream and frees the hold.
     */
    private Held restoreHeldAfterFirstBatch(Node node, String pid, String offset) throws InterruptedException {
        Hold first = hold(node.work());
        started(first);
        CompletableFuture<RestoreResult> restoring = node.recovery().restore(pid, offset, Runnable::run, s -> { }).toCompletableFuture();
        // The offset's look-up waits behind the first hold; a second hold waits behind it.
        await().atMost(WAIT).until(() -> node.workQueued() == 2);
        Hold second = hold(node.work());
        first.free().countDown();
        started(second);
        // Then the session is taken and the first batch read: its conversion waits behind the second hold.
        await().atMost(WAIT).until(() -> node.workQueued() == 2);
        assertThat(kept(pid)).as("taken").isFalse();
        return new Held(restoring, second);
    }

    @Test
    void aRestoreInProgressWhenItsTransportClosesEndsUnavailableAndItsSessionIsWrittenBack() throws InterruptedException {
        Node node = node(true);
        String offset = node.append(0);
        node.append(1);
        await().atMost(WAIT).until(() -> node.feeder().logged() == 2);
        persisted(node, "pid-1");
        // Its replay's decode waits in the work queue, which the close drops.
        Held held = restoreHeldAfterFirstBatch(node, "pid-1", offset);

        node.transport().close();

        RestoreResult result = held.restoring().orTimeout(5, TimeUnit.SECONDS).join();
        assertThat(result.refusal()).isEqualTo(RestoreRefusal.UNAVAILABLE);
        await().atMost(WAIT).until(() -> kept("pid-1"));
        // Refused after the close too, at once.
        assertThat(node.recovery().restore("pid-1", offset, Runnable::run, s -> { }).toCompletableFuture()
                .orTimeout(5, TimeUnit.SECONDS).join().refusal()).isEqualTo(RestoreRefusal.UNAVAILABLE);
    }

    /** An offset followed by more entries than one XRANGE of a replay returns (1000). */
    private String offsetBeforeTwoBatches(Node node) {
        String offset = node.append(0);
        List<CompletableFuture<String>> appends = new ArrayList<>();
        for (int i = 1; i <= 1_500; i++) {
            appends.add(node.appendAsync(i));
        }
        appends.forEach(CompletableFuture::join);
        await().atMost(WAIT).until(() -> node.feeder().logged() == 1_501);
        return offset;
    }

    @Test
    void aStreamTrimmedBetweenTwoBatchesOfAReplayRefusesTheRestoreAndTheSessionIsWrittenBack() throws InterruptedException {
        Node node = node(true);
        String offset = offsetBeforeTwoBatches(node);
        persisted(node, "pid-2");
        Held held = restoreHeldAfterFirstBatch(node, "pid-2", offset);

        // MAXLEN trims past the last entry of the first batch before the second is read.
        assertThat(redis("XTRIM", stream, "MAXLEN", "100")).isEqualTo(":1401");
        held.hold().free().countDown();

        RestoreResult result = held.restoring().orTimeout(10, TimeUnit.SECONDS).join();
        assertThat(result.refusal()).as("a replay with a gap is refused").isEqualTo(RestoreRefusal.OFFSET_GONE);
        await().atMost(WAIT).until(() -> kept("pid-2"));
    }

    @Test
    void aSessionTakenByARestoreThatRedisThenFailsIsWrittenBackForAnotherAttempt() throws InterruptedException {
        Node node = node(true);
        String offset = offsetBeforeTwoBatches(node);
        persisted(node, "pid-3");
        Held held = restoreHeldAfterFirstBatch(node, "pid-3", offset);

        // The second batch's XRANGE fails (WRONGTYPE): Redis failed the restore after it took the session.
        redis("DEL", stream);
        redis("SET", stream, "not a stream");
        held.hold().free().countDown();

        assertThat(held.restoring().orTimeout(10, TimeUnit.SECONDS).join().refusal()).isEqualTo(RestoreRefusal.UNAVAILABLE);
        await().atMost(WAIT).until(() -> kept("pid-3"));
    }

    /** A namespace whose reader, handed its first entry, stays there until {@code free} is counted down. */
    private static final class Stalling extends StreamRecorder {
        final CountDownLatch reached = new CountDownLatch(1);
        final CountDownLatch free = new CountDownLatch(1);

        @Override
        public void onMessage(ClusterMessage message, String offset) {
            reached.countDown();
            try {
                free.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Test
    void aRestoreWhoseReaderStaysBehindTheOffsetIsRefusedAndItsSessionWrittenBack() throws InterruptedException {
        // This node's reader is held handing on the client's offset: it stays where it started, before the offset.
        // (Not a receiver that leaves the recovery out: the transport tells the recovery what its reader passed.)
        RedisTransport transport = transport(RedisAdapterOptions.DEFAULT_COMMAND_QUEUE_SIZE);
        Stalling stalling = new Stalling();
        holds.add(stalling.free);
        NamespaceChannel channel = transport.open("/", stalling);
        Node node = new Node(transport, channel,
                (StreamSessionRecovery) channel.recovery(new RecoveryOptions(Duration.ofSeconds(30), 10), "data"), null);
        String offset = node.append(0);
        node.append(1);
        assertThat(stalling.reached.await(10, TimeUnit.SECONDS)).isTrue();
        persisted(node, "pid-4");

        AtomicInteger attached = new AtomicInteger();
        RestoreResult result = node.recovery().restore("pid-4", offset, Runnable::run, s -> attached.incrementAndGet())
                .toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();

        assertThat(result.refusal()).as("attached now, entry 0 would come live again").isEqualTo(RestoreRefusal.UNAVAILABLE);
        assertThat(attached).hasValue(0);
        await().atMost(WAIT).until(() -> kept("pid-4"));
    }

    @Test
    void dataThatCannotBeKeptRemovesTheSessionsOlderRecord() {
        Node node = node(true);
        node.recovery().opened(new SessionState("sid-5", "pid-5", List.of("sid-5", "old-room"), Map.of("data", Map.of("n", 1))));
        await().atMost(WAIT).until(() -> kept("pid-5"));

        // An object of the JDK's that is no plain data: the codec cannot write it.
        java.util.concurrent.ScheduledExecutorService scheduler = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        Object timer = scheduler.schedule(() -> { }, 1, TimeUnit.HOURS);
        scheduler.shutdownNow();
        node.recovery().opened(new SessionState("sid-5", "pid-5", List.of("sid-5", "new-room"), Map.of("data", Map.of("timer", timer))));

        await().atMost(WAIT).until(() -> !kept("pid-5"));
    }

    @Test
    void aSessionAnotherNodeOwnsNowIsNeitherOverwrittenNorDeletedByAStaleSocketHere() {
        Node here = node(true);
        Node elsewhere = node(true);
        // The session was restored on the other node (this one was cut off from Redis), whose socket wrote it.
        elsewhere.recovery().opened(session("pid-6", "new"));
        await().atMost(WAIT).until(() -> storedRooms("pid-6").contains("new"));
        String owner = codec.ownerOf(stored("pid-6"));
        assertThat(owner).isNotNull();

        // This node's socket of that pid does not know yet: its room changes, it ends, it ends for good.
        here.recovery().opened(session("pid-6", "stale"));
        here.recovery().persist(session("pid-6", "stale"));
        here.recovery().discarded("pid-6");
        // This node's writes go in order on one connection: once a later one is done, those are too.
        persisted(here, "pid-6-later");

        assertThat(storedRooms("pid-6")).containsExactly("sid-pid-6", "new");
        assertThat(codec.ownerOf(stored("pid-6"))).isEqualTo(owner);
    }

    @Test
    void theFirstWriteAfterARestoreGoesOverWhatAStaleSocketWroteMeanwhileAndLaterOnesAreNotOverwritten() {
        Node stale = node(true);
        Node restoring = node(true);
        String offset = restoring.append(0);
        await().atMost(WAIT).until(() -> restoring.feeder().logged() == 1 && stale.feeder().logged() == 1);
        stale.recovery().persist(session("pid-7", "old"));
        await().atMost(WAIT).until(() -> kept("pid-7"));

        RestoreResult restored = restoring.recovery().restore("pid-7", offset, Runnable::run, s -> { })
                .toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
        assertThat(restored.isRecovered()).as("refused: %s", restored.refusal()).isTrue();
        // The stale node's socket of that pid writes before the restored one does: the key was free.
        stale.recovery().opened(session("pid-7", "stale"));
        await().atMost(WAIT).until(() -> storedRooms("pid-7").contains("stale"));

        restoring.recovery().opened(session("pid-7", "restored"));
        await().atMost(WAIT).until(() -> storedRooms("pid-7").contains("restored"));
        stale.recovery().opened(session("pid-7", "stale"));
        stale.recovery().persist(session("pid-7", "stale"));
        persisted(stale, "pid-7-later");

        assertThat(storedRooms("pid-7")).containsExactly("sid-pid-7", "restored");
    }

    @Test
    void aStaleSocketWhoseWriteIsRefusedNoLongerRefreshesTheSessionAnotherNodeOwnsWhileItsOwnStayRefreshed() {
        // Sessions kept 3 s here, refreshed every second; 60 s on the other node.
        Node here = node(true, Duration.ofSeconds(3));
        Node elsewhere = node(true, Duration.ofSeconds(60));
        here.recovery().opened(session("pid-8", "here"));
        here.recovery().opened(session("pid-9", "here"));
        await().atMost(WAIT).until(() -> kept("pid-8") && kept("pid-9"));

        // This node looked gone: a restore on the other node took pid-8 (GETDEL) and its socket wrote it there.
        redis("DEL", stream + ":session:pid-8");
        elsewhere.recovery().opened(session("pid-8", "elsewhere"));
        await().atMost(WAIT).until(() -> storedRooms("pid-8").contains("elsewhere"));
        // The stale socket here changes its rooms: its write is refused.
        here.recovery().opened(session("pid-8", "stale"));

        // Past the 3 s of its last write here, pid-9 is still kept (the refresh runs) and pid-8 keeps the other
        // node's expiry and rooms.
        await("pid-9 refreshed, pid-8 left at the other node's expiry").during(Duration.ofMillis(3_500)).atMost(WAIT)
                .until(() -> kept("pid-9") && expiresIn("pid-8") > 3_000);
        assertThat(storedRooms("pid-8")).contains("elsewhere").doesNotContain("stale");
    }

    @Test
    void aNodeWithMoreLiveSessionsThanItsCommandBoundRefreshesThemAll() {
        // Sessions kept 3 s, refreshed every second; at most 8 commands waiting for Redis.
        Node here = node(true, Duration.ofSeconds(3), 8);
        List<String> pids = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String pid = "pid-live-" + i;
            pids.add(pid);
            here.recovery().opened(session(pid, "here"));
            // One at a time: the writes themselves are bound too.
            await().atMost(WAIT).until(() -> kept(pid));
        }

        await("every session refreshed past its 3 s").during(Duration.ofMillis(4_000)).atMost(WAIT)
                .until(() -> pids.stream().allMatch(this::kept));
    }

    /** A namespace of another node, which appends broadcasts to one room. */
    private record Elsewhere(NamespaceChannel channel) {
        String append(String event, String room) {
            BroadcastOptions to = new BroadcastOptions(java.util.Set.of(room), java.util.Set.of(), false, false, null);
            return channel.append(new Broadcast(channel.uid(), ClusterPacket.of(event, 1), to, null)).toCompletableFuture().join();
        }
    }

    /**
     * A node whose reader follows the stream for "/" only, as a gateway's does before "/chat" is first used; "/chat"
     * is written to by another node meanwhile. Returns this node's transport once its reader handed on the "/" entry
     * the other node appended after {@code chatEntries} (so the reader has passed them all).
     */
    private RedisTransport readerPassedChatEntriesBeforeChatOpened(Runnable chatEntries) {
        RedisTransport here = transport(RedisAdapterOptions.DEFAULT_COMMAND_QUEUE_SIZE);
        StreamRecorder root = new StreamRecorder();
        here.open("/", root);
        here.awaitOpened();
        chatEntries.run();
        Elsewhere elsewhereRoot = new Elsewhere(transport(RedisAdapterOptions.DEFAULT_COMMAND_QUEUE_SIZE).open("/", new StreamRecorder()));
        elsewhereRoot.append("z", "any");
        await().atMost(WAIT).until(() -> root.logged() == 1);
        return here;
    }

    /** "/chat" opened here with its recovery, fed by the reader, and a session of {@code pid} in room r kept. */
    private StreamSessionRecovery chatWithSession(RedisTransport here, String pid) {
        StreamRecorder chat = new StreamRecorder();
        NamespaceChannel channel = here.open("/chat", chat);
        StreamSessionRecovery recovery = (StreamSessionRecovery) channel.recovery(new RecoveryOptions(Duration.ofSeconds(30), 10), "data");
        chat.recovery = recovery;
        recovery.persist(new SessionState("sid-" + pid, pid, List.of("sid-" + pid, "r"), Map.of()));
        await().atMost(WAIT).until(() -> kept(pid));
        return recovery;
    }

    @Test
    void anEntryTheReaderPassedBeforeTheNamespacesRecoveryExistedIsReplayed() {
        Elsewhere chatElsewhere = new Elsewhere(transport(RedisAdapterOptions.DEFAULT_COMMAND_QUEUE_SIZE).open("/chat", new StreamRecorder()));
        // The client's offset, before this node's reader started.
        String offset = chatElsewhere.append("x", "r");
        // Appended after the reader started, passed by it while "/chat" had no channel here, before any later broadcast.
        RedisTransport here = readerPassedChatEntriesBeforeChatOpened(() -> chatElsewhere.append("e", "r"));
        StreamSessionRecovery recovery = chatWithSession(here, "pid-20");

        RestoreResult result = recovery.restore("pid-20", offset, Runnable::run, s -> { })
                .toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();

        assertThat(result.isRecovered()).as("refused: %s", result.refusal()).isTrue();
        assertThat(result.session().missed()).as("e will not come live: the reader went past it")
                .extracting(ClusterPacket::event).containsExactly("e");
    }

    @Test
    void anOffsetTheReaderPassedBeforeTheNamespacesRecoveryExistedIsNotBehindIt() {
        Elsewhere chatElsewhere = new Elsewhere(transport(RedisAdapterOptions.DEFAULT_COMMAND_QUEUE_SIZE).open("/chat", new StreamRecorder()));
        String[] offset = new String[1];
        // Both after the reader started, passed by it before "/chat" was opened here.
        RedisTransport here = readerPassedChatEntriesBeforeChatOpened(() -> {
            offset[0] = chatElsewhere.append("y", "r");
            chatElsewhere.append("w", "r");
        });
        StreamSessionRecovery recovery = chatWithSession(here, "pid-21");

        RestoreResult result = recovery.restore("pid-21", offset[0], Runnable::run, s -> { })
                .toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();

        assertThat(result.isRecovered()).as("refused: %s", result.refusal()).isTrue();
        assertThat(result.session().missed()).extracting(ClusterPacket::event).containsExactly("w");
    }

    /** An attribute whose encoding waits until {@code free} is counted down: a socket's end held before its write. */
    public static final class SlowToEncode {
        final CountDownLatch encoding = new CountDownLatch(1);
        final CountDownLatch free = new CountDownLatch(1);

        public int getValue() throws InterruptedException {
            encoding.countDown();
            free.await(30, TimeUnit.SECONDS);
            return 1;
        }
    }

    @Test
    void aRestoreHereWhileASocketsEndIsBeingWrittenWaitsForThatWriteAndLeavesNoOwnerlessCopy() throws Exception {
        Node node = node(true);
        String offset = node.append(0);
        await().atMost(WAIT).until(() -> node.feeder().logged() == 1);
        // The socket connected here: its session written, owned by this node.
        node.recovery().opened(session("pid-30", "before"));
        await().atMost(WAIT).until(() -> storedRooms("pid-30").contains("before"));

        // It joined a room, then ended: its end's write is held while its session is encoded (on its loop).
        SlowToEncode slow = new SlowToEncode();
        holds.add(slow.free);
        SessionState ended = new SessionState("sid-pid-30", "pid-30", List.of("sid-pid-30", "before", "after"),
                Map.of("data", Map.of("n", 1), "slow", slow));
        java.util.concurrent.ExecutorService loop = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            CompletableFuture<Void> ending = CompletableFuture.runAsync(() -> node.recovery().persist(ended), loop);
            assertThat(slow.encoding.await(10, TimeUnit.SECONDS)).isTrue();

            // The client reconnects here meanwhile: its restore reads the record the connected socket wrote.
            CompletableFuture<RestoreResult> restoring = node.recovery().restore("pid-30", offset, Runnable::run, s -> { })
                    .toCompletableFuture();
            Thread.sleep(400);
            slow.free.countDown();
            ending.get(10, TimeUnit.SECONDS);

            RestoreResult restored = restoring.orTimeout(10, TimeUnit.SECONDS).join();
            assertThat(restored.isRecovered()).as("refused: %s", restored.refusal()).isTrue();
            assertThat(restored.session().state().rooms()).as("the session as it ended")
                    .containsExactly("sid-pid-30", "before", "after");
            // This node's writes go in order on one connection: once a later one is done, the end's is too.
            persisted(node, "pid-30-later");
            assertThat(kept("pid-30")).as("no second, ownerless copy of the restored session").isFalse();
        } finally {
            loop.shutdownNow();
        }
    }
}
