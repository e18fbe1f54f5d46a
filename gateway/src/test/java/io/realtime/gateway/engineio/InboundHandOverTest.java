package io.realtime.gateway.engineio;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A connection read on another loop than its session's stops being read while its messages pile up there. */
class InboundHandOverTest {

    private static final long PAUSE_ABOVE = 1000;

    private final DefaultEventLoop sessionLoop = new DefaultEventLoop();
    private final EmbeddedChannel connection = new EmbeddedChannel();
    private final List<Integer> handled = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() throws InterruptedException {
        connection.finishAndReleaseAll();
        sessionLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }

    @Test
    void readsPauseWhileTheSessionsLoopIsBehindAndResumeOnceItCaughtUpHalfway() throws Exception {
        InboundHandOver handOver = new InboundHandOver(connection, PAUSE_ABOVE);
        CountDownLatch busy = new CountDownLatch(1);
        sessionLoop.execute(() -> awaitQuietly(busy));

        handOver.handOver(sessionLoop, 400, () -> handled.add(1));
        handOver.handOver(sessionLoop, 400, () -> handled.add(2));
        assertThat(connection.config().isAutoRead()).as("800 bytes and their tasks waiting: under the bound").isTrue();
        handOver.handOver(sessionLoop, 400, () -> handled.add(3));
        assertThat(connection.config().isAutoRead()).as("1,200 bytes waiting: over the bound").isFalse();
        assertThat(handOver.isPaused()).isTrue();

        busy.countDown();
        caughtUp();
        assertThat(connection.config().isAutoRead()).isTrue();
        assertThat(handled).containsExactly(1, 2, 3);
        assertThat(handOver.isPaused()).isFalse();
    }

    @Test
    void aSessionOnTheConnectionsOwnLoopHandlesEachMessageAsItIsReadAndNeverPauses() {
        InboundHandOver handOver = new InboundHandOver(connection, PAUSE_ABOVE);

        for (int i = 0; i < 10; i++) {
            int message = i;
            handOver.handOver(connection.eventLoop(), PAUSE_ABOVE, () -> handled.add(message));
            assertThat(handled).hasSize(i + 1);
        }
        assertThat(connection.config().isAutoRead()).isTrue();
    }

    @Test
    void aSessionThatCaughtUpBeforeThePauseTookHoldLeavesTheConnectionRead() throws Exception {
        InboundHandOver handOver = new InboundHandOver(connection, PAUSE_ABOVE);
        for (int round = 0; round < 200; round++) {
            // One message over the bound at once: the session's loop may handle it before or after the pause.
            handOver.handOver(sessionLoop, PAUSE_ABOVE * 2, () -> handled.add(1));
            caughtUp();
            assertThat(connection.config().isAutoRead()).as("round %d", round).isTrue();
            assertThat(handOver.isPaused()).isFalse();
        }
        assertThat(handled).hasSize(200);
    }

    @Test
    void aWebSocketReadOnAnotherLoopThanItsSessionsIsNotReadWhileTwoLargestMessagesWait() throws Exception {
        try (SessionFixture fixture = new SessionFixture(4L << 20, 60_000)) {
            EmbeddedChannel channel = fixture.channel();
            CountDownLatch busy = busySessionLoop(fixture, channel);
            String largest = "4" + "x".repeat(SessionFixture.MAX_PAYLOAD - 1);

            channel.writeInbound(new TextWebSocketFrame(largest));
            channel.writeInbound(new TextWebSocketFrame(largest));
            assertThat(channel.config().isAutoRead()).isTrue();
            channel.writeInbound(new TextWebSocketFrame(largest));
            assertThat(channel.config().isAutoRead()).isFalse();

            busy.countDown();
            sessionLoop.submit(() -> { }).get(5, TimeUnit.SECONDS);
            channel.runPendingTasks();
            assertThat(channel.config().isAutoRead()).isTrue();
            assertThat(sessionLoop.submit(() -> fixture.messages.size()).get(5, TimeUnit.SECONDS)).isEqualTo(3);
        }
    }

    /** The fixture's WebSocket read on {@code channel}, its session's loop kept busy until the latch is counted down. */
    private CountDownLatch busySessionLoop(SessionFixture fixture, EmbeddedChannel channel) throws Exception {
        sessionLoop.submit(() -> fixture.webSocket(channel, sessionLoop)).get(5, TimeUnit.SECONDS);
        sessionLoop.submit(() -> { }).get(5, TimeUnit.SECONDS);
        CountDownLatch busy = new CountDownLatch(1);
        sessionLoop.execute(() -> awaitQuietly(busy));
        return busy;
    }

    /** Text counts in the bytes it was read as, which maxPayload counts: a CJK character takes three. */
    @Test
    void aWebSocketsTextIsCountedInTheBytesItWasReadAs() throws Exception {
        try (SessionFixture fixture = new SessionFixture(4L << 20, 60_000)) {
            EmbeddedChannel channel = fixture.channel();
            CountDownLatch busy = busySessionLoop(fixture, channel);
            // Within maxPayload in bytes, a third of it in characters.
            String largest = "4" + "\u4e2d".repeat((SessionFixture.MAX_PAYLOAD - 1) / 3);

            channel.writeInbound(new TextWebSocketFrame(largest));
            channel.writeInbound(new TextWebSocketFrame(largest));
            assertThat(channel.config().isAutoRead()).isTrue();
            channel.writeInbound(new TextWebSocketFrame(largest));
            assertThat(channel.config().isAutoRead()).as("three largest messages waiting").isFalse();

            busy.countDown();
            sessionLoop.submit(() -> { }).get(5, TimeUnit.SECONDS);
            channel.runPendingTasks();
            assertThat(channel.config().isAutoRead()).isTrue();
            assertThat(sessionLoop.submit(() -> fixture.messages.size()).get(5, TimeUnit.SECONDS)).isEqualTo(3);
        }
    }

    /**
     * Waits for the session's loop to have run every task given so far, then runs what it handed back to the
     * connection's (embedded) loop: one thread at a time on the embedded loop's queue.
     */
    private void caughtUp() throws Exception {
        sessionLoop.submit(() -> { }).get(5, TimeUnit.SECONDS);
        connection.runPendingTasks();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
