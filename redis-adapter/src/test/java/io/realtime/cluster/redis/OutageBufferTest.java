package io.realtime.cluster.redis;

import io.realtime.cluster.ClusterStats;
import io.realtime.cluster.ClusterUnavailableException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** What is held during an outage keeps its order, and a request queued behind it is sent or told why not. */
class OutageBufferTest {

    private final ClusterStats stats = new ClusterStats("test");

    private static OutageBuffer.Publish publish(String text) {
        return new OutageBuffer.Publish(false, "c", text.getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> texts(List<OutageBuffer.Held> batch) {
        return batch.stream().map(held -> new String(((OutageBuffer.Publish) held.outgoing()).message(), StandardCharsets.UTF_8)).toList();
    }

    @Test
    void aMessageWhoseResendFailedGoesBackAheadOfThoseHeldAfterIt() {
        OutageBuffer buffer = new OutageBuffer(100, Duration.ofSeconds(30), stats);
        buffer.hold(publish("j1"));
        buffer.hold(publish("b2"));
        List<OutageBuffer.Held> batch = buffer.drain();
        // Published while the batch is being sent: held behind it.
        assertThat(buffer.holdIfWaiting(() -> false, publish("b3"))).isTrue();
        // Then j1's send fails.
        buffer.holdAgain(batch.get(0));

        assertThat(texts(buffer.drain())).containsExactly("j1", "b3");
    }

    @Test
    void aMessageSentAtOnceWhoseSendFailedGoesBackAheadOfThoseHeldAfterIt() {
        OutageBuffer buffer = new OutageBuffer(100, Duration.ofSeconds(30), stats);
        long m1 = buffer.place();
        long m2 = buffer.place();
        long publishedAt = System.nanoTime();
        // m1 fails first (Redis lost); m3, published then, is held behind it; then m2 fails.
        buffer.holdFailed(m1, publish("m1"), publishedAt);
        assertThat(buffer.holdIfWaiting(() -> true, publish("m3"))).isTrue();
        buffer.holdFailed(m2, publish("m2"), publishedAt);

        assertThat(texts(buffer.drain())).containsExactly("m1", "m2", "m3");
        assertThat(stats.buffered()).isEqualTo(3);
    }

    @Test
    void aDrainTakesNoMoreThanThereIsRoomForAndTheRestWaitsInOrder() {
        OutageBuffer buffer = new OutageBuffer(100, Duration.ofSeconds(30), stats);
        buffer.hold(publish("b1"));
        buffer.hold(publish("b2"));
        buffer.hold(publish("b3"));

        assertThat(texts(buffer.drain(2))).containsExactly("b1", "b2");
        assertThat(stats.held()).isEqualTo(1);
        // Published while those are sent: behind the one still held.
        assertThat(buffer.holdIfWaiting(() -> false, publish("b4"))).isTrue();
        assertThat(texts(buffer.drain(5))).containsExactly("b3", "b4");
        assertThat(buffer.drain(5)).isEmpty();
        assertThat(buffer.holdIfWaiting(() -> false, publish("b5"))).as("nothing waits any more").isFalse();
    }

    @Test
    void aDroppedRequestFailsOutsideTheBuffersLock() {
        OutageBuffer buffer = new OutageBuffer(2, Duration.ofSeconds(30), stats);
        buffer.hold(publish("b1"));
        List<Boolean> lockHeld = new java.util.concurrent.CopyOnWriteArrayList<>();
        CompletableFuture<Void> pushedOut = buffer.queueIfWaiting(() -> false, publish("r1"));
        pushedOut.whenComplete((ok, failure) -> lockHeld.add(Thread.holdsLock(buffer)));
        CompletableFuture<Void> lost = buffer.queueIfWaiting(() -> false, publish("r2"));
        lost.whenComplete((ok, failure) -> lockHeld.add(Thread.holdsLock(buffer)));
        assertThat(pushedOut).isNotDone();
        assertThat(lost).isNotDone();
        // Over capacity, the oldest go (b1, then r1); then Redis is lost again (r2 goes): each failure runs its
        // callers' callbacks.
        buffer.hold(publish("b2"));
        assertThat(pushedOut).isCompletedExceptionally();
        assertThat(lost).isNotDone();
        buffer.failRequests();

        assertThat(pushedOut).isCompletedExceptionally();
        assertThat(lost).isCompletedExceptionally();
        assertThat(lockHeld).containsExactly(false, false);
    }

    @Test
    void theStatsSayHowManyAreHeldNowAndHowManyMayBe() {
        OutageBuffer buffer = new OutageBuffer(2, Duration.ofSeconds(30), stats);
        assertThat(stats.heldLimit()).isEqualTo(2);
        buffer.hold(publish("b1"));
        buffer.hold(publish("b2"));
        buffer.hold(publish("b3"));
        assertThat(stats.held()).as("the oldest pushed out").isEqualTo(2);

        List<OutageBuffer.Held> batch = buffer.drain();
        assertThat(stats.held()).isZero();
        buffer.holdAgain(batch.get(0));
        assertThat(stats.held()).isEqualTo(1);
        buffer.dropAll("closing");
        assertThat(stats.held()).isZero();
    }

    @Test
    void aRequestQueuesBehindHeldMessagesOnlyWhileTheyWait() {
        OutageBuffer buffer = new OutageBuffer(100, Duration.ofSeconds(30), stats);
        assertThat(buffer.queueIfWaiting(() -> false, publish("early"))).as("nothing held: sent at once").isNull();
        buffer.hold(publish("join"));
        CompletableFuture<Void> request = buffer.queueIfWaiting(() -> false, publish("request"));
        assertThat(request).isNotNull().isNotDone();

        List<OutageBuffer.Held> batch = buffer.drain();
        assertThat(texts(batch)).containsExactly("join", "request");
        assertThat(batch.get(1).isRequest()).isTrue();
        assertThat(buffer.queueIfWaiting(() -> false, publish("while-sending"))).as("the batch is not sent yet").isNotNull();
        buffer.drain();
        assertThat(buffer.drain()).isEmpty();
        assertThat(buffer.queueIfWaiting(() -> false, publish("later"))).as("all sent").isNull();
    }

    @Test
    void aRequestIsNotQueuedWhenRedisWasLostSinceTheCallerLooked() {
        OutageBuffer buffer = new OutageBuffer(100, Duration.ofSeconds(30), stats);
        buffer.hold(publish("join"));

        CompletableFuture<Void> request = buffer.queueIfWaiting(() -> true, publish("request"));

        assertThatThrownBy(request::join).hasCauseInstanceOf(ClusterUnavailableException.class);
        assertThat(texts(buffer.drain())).containsExactly("join");
    }

    @Test
    void aQueuedRequestFailsWhenRedisIsLostAgainOrItIsPushedOutOrTooOld() {
        OutageBuffer buffer = new OutageBuffer(2, Duration.ofSeconds(30), stats);
        buffer.hold(publish("join"));
        CompletableFuture<Void> lost = buffer.queueIfWaiting(() -> false, publish("lost"));
        buffer.failRequests();
        assertThatThrownBy(lost::join).hasCauseInstanceOf(ClusterUnavailableException.class).hasMessageContaining("lost");

        CompletableFuture<Void> pushedOut = buffer.queueIfWaiting(() -> false, publish("pushed-out"));
        buffer.hold(publish("b2"));
        buffer.hold(publish("b3"));
        assertThatThrownBy(pushedOut::join).hasCauseInstanceOf(ClusterUnavailableException.class);
        assertThat(stats.dropped()).as("the join pushed out first; a request is no dropped broadcast").isEqualTo(1);


        OutageBuffer young = new OutageBuffer(100, Duration.ZERO, stats);
        young.hold(publish("join"));
        long queuedAt = System.nanoTime();
        CompletableFuture<Void> tooOld = young.queueIfWaiting(() -> false, publish("too-old"));
        await().atMost(Duration.ofSeconds(1)).until(() -> System.nanoTime() > queuedAt);
        assertThat(young.drain()).isEmpty();
        assertThatThrownBy(tooOld::join).hasCauseInstanceOf(ClusterUnavailableException.class).hasMessageContaining("OUTAGE_BUFFER_AGE");
    }

    @Test
    void whatIsStillHeldWhenTheLinkClosesIsCountedAsDropped() {
        OutageBuffer buffer = new OutageBuffer(100, Duration.ofSeconds(30), stats);
        buffer.hold(publish("b1"));
        List<OutageBuffer.Held> inFlight = buffer.drain();
        buffer.hold(publish("b2"));
        CompletableFuture<Void> request = buffer.queueIfWaiting(() -> false, publish("request"));

        assertThat(buffer.dropAll("closed")).as("held messages, not the request").isEqualTo(1);
        assertThat(stats.dropped()).isEqualTo(1);
        assertThatThrownBy(request::join).hasCauseInstanceOf(ClusterUnavailableException.class);
        // b1's send was in flight and fails after the close: it is dropped and counted, as anything held later.
        buffer.holdAgain(inFlight.get(0));
        buffer.hold(publish("b3"));
        assertThat(stats.dropped()).isEqualTo(3);
        assertThat(buffer.size()).isZero();
    }

    /** Its appender must know an entry will come back before a drain can take it and the reader return it. */
    @Test
    void anAppendTellsItsAppenderEachTimeItIsHeldBeforeADrainCanTakeIt() {
        OutageBuffer buffer = new OutageBuffer(100, Duration.ofSeconds(30), stats);
        List<String> told = new java.util.concurrent.CopyOnWriteArrayList<>();
        OutageBuffer.Append append = new OutageBuffer.Append("s", 100, java.util.Map.of(), () -> told.add("held"));

        assertThat(buffer.holdIfWaiting(() -> true, append)).isTrue();
        assertThat(told).containsExactly("held");
        OutageBuffer.Held taken = buffer.drain().get(0);
        assertThat(taken.outgoing()).isSameAs(append);
        buffer.holdAgain(taken);
        assertThat(told).containsExactly("held", "held");
        assertThat(buffer.holdIfWaiting(() -> false, publish("p"))).as("behind the append").isTrue();
        assertThat(told).hasSize(2);
    }

    /** A buffer with a lane per channel, as a Redis Cluster's sharded pub/sub has one per slot. */
    private OutageBuffer laneByChannel() {
        return new OutageBuffer(3, Duration.ofSeconds(30), stats,
                outgoing -> ((OutageBuffer.Publish) outgoing).channel().hashCode());
    }

    private static OutageBuffer.Publish on(String channel, String text) {
        return new OutageBuffer.Publish(true, channel, text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aMessageOrRequestWaitsBehindTheHeldMessagesOfItsOwnLaneOnly() {
        OutageBuffer buffer = laneByChannel();
        buffer.hold(on("down", "d1"));

        assertThat(buffer.holdIfWaiting(() -> false, on("up", "u1"))).as("another lane: sent at once").isFalse();
        assertThat(buffer.queueIfWaiting(() -> false, on("up", "request"))).as("another lane: sent at once").isNull();
        assertThat(buffer.holdIfWaiting(() -> false, on("down", "d2"))).as("behind d1").isTrue();
        CompletableFuture<Void> request = buffer.queueIfWaiting(() -> false, on("down", "request"));
        assertThat(request).as("behind d1 and d2").isNotNull().isNotDone();
        assertThat(texts(buffer.drain())).containsExactly("d1", "d2", "request");
    }

    @Test
    void aPausedLaneIsNotDrainedUntilResumedWhileTheOthersAre() {
        OutageBuffer buffer = laneByChannel();
        buffer.hold(on("down", "d1"));
        buffer.hold(on("up", "u1"));
        List<OutageBuffer.Held> batch = buffer.drain();
        assertThat(texts(batch)).containsExactly("d1", "u1");
        // d1's send fails: its lane waits for the retry, u1's lane is free once a drain finds none of its own left.
        buffer.pause(batch.get(0).outgoing());
        buffer.holdAgain(batch.get(0));
        assertThat(buffer.holdIfWaiting(() -> false, on("down", "d2"))).isTrue();
        assertThat(buffer.holdIfWaiting(() -> false, on("up", "u2"))).as("u1 may still be in flight").isTrue();

        assertThat(texts(buffer.drain())).containsExactly("u2");
        assertThat(buffer.drain()).isEmpty();
        assertThat(buffer.holdIfWaiting(() -> false, on("up", "u3"))).as("nothing of its lane waits").isFalse();
        assertThat(buffer.holdIfWaiting(() -> false, on("down", "d3"))).isTrue();

        buffer.resume();
        assertThat(texts(buffer.drain())).containsExactly("d1", "d2", "d3");
    }

    @Test
    void theCountBoundIsTheBuffersOverEveryLane() {
        OutageBuffer buffer = laneByChannel();
        buffer.hold(on("a", "a1"));
        buffer.hold(on("b", "b1"));
        buffer.hold(on("c", "c1"));
        buffer.hold(on("d", "d1"));

        assertThat(stats.dropped()).as("the oldest, of another lane").isEqualTo(1);
        assertThat(stats.held()).isEqualTo(3);
        assertThat(buffer.holdIfWaiting(() -> false, on("a", "a2"))).as("nothing of its lane is held").isFalse();

        List<OutageBuffer.Held> inFlight = buffer.drain(1);
        assertThat(texts(inFlight)).containsExactly("b1");
        buffer.hold(on("e", "e1"));
        buffer.hold(on("f", "f1"));
        assertThat(buffer.holdIfWaiting(() -> false, on("b", "b2"))).as("b1 may still be in flight").isTrue();
        assertThat(texts(buffer.drain())).containsExactly("e1", "f1", "b2");
    }
}
