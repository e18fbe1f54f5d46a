package io.realtime.gateway.engineio;

import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * OUTBOUND_LIMIT through Netty's writability: past a sixteenth of it a client is not writable (volatile packets skip
 * it); a backlog over the whole of it for two seconds drops the client, a backlog that drains does not.
 */
class SlowConsumerTest {

    private static final int LIMIT = 1600;

    /** No heartbeat gets in the way: the clock moves by seconds here. */
    private final SessionFixture fixture = new SessionFixture(LIMIT, 60_000);

    @AfterEach
    void close() {
        fixture.close();
    }

    /** Broadcast frames written and left unflushed, as to a client whose socket does not drain. */
    private static void backlog(EngineSession session, int bytes) {
        WebSocketFrames.Shared frames = new WebSocketFrames.Shared(List.of(EnginePacket.message("x".repeat(bytes))));
        try {
            // Taken by the transport (only the first write before a flush asks the fan-out for one).
            session.writeShared(frames);
            assertThat(frames.framesHandedOut()).isEqualTo(1);
        } finally {
            frames.release();
        }
    }

    @Test
    void theWaterMarksFollowTheLimit() {
        EmbeddedChannel webSocket = fixture.channel();
        webSocket.config().setWriteBufferWaterMark(fixture.registry.outboundLimit().waterMark());
        assertThat(webSocket.config().getWriteBufferHighWaterMark()).isEqualTo(LIMIT / 16);
        assertThat(webSocket.config().getWriteBufferLowWaterMark()).isEqualTo(LIMIT / 32);
    }

    @Test
    void aClientWhoseBacklogStaysOverTheLimitIsDropped() {
        EmbeddedChannel webSocket = fixture.channel();
        webSocket.config().setWriteBufferWaterMark(fixture.registry.outboundLimit().waterMark());
        EngineSession session = fixture.webSocket(webSocket);
        webSocket.releaseOutbound();
        assertThat(session.isWritable()).isTrue();

        backlog(session, 200);
        assertThat(session.isWritable()).as("past 1/16 of the limit").isFalse();
        fixture.advance(3000);
        assertThat(session.isOpen()).as("over 1/16 but under the limit").isTrue();

        backlog(session, 2000);
        fixture.advance(500);
        fixture.advance(1000);
        assertThat(session.isOpen()).as("within the grace").isTrue();
        fixture.advance(1100);
        assertThat(session.isOpen()).isFalse();
        assertThat(fixture.behaviourCloses).containsExactly("slow_consumer");
        assertThat(fixture.closeReasons).containsExactly("transport error");
        assertThat(webSocket.isOpen()).isFalse();
    }

    @Test
    void aBacklogThatDrainsInTimeIsForgiven() {
        EmbeddedChannel webSocket = fixture.channel();
        webSocket.config().setWriteBufferWaterMark(fixture.registry.outboundLimit().waterMark());
        EngineSession session = fixture.webSocket(webSocket);

        backlog(session, 2000);
        fixture.advance(1000);
        session.flushWrites(System.nanoTime());
        webSocket.releaseOutbound();
        assertThat(session.isWritable()).isTrue();
        fixture.advance(5000);
        assertThat(session.isOpen()).isTrue();
        assertThat(fixture.behaviourCloses).isEmpty();
    }

    @Test
    void aPollingClientThatDoesNotPollIsDroppedOnceItsQueueStaysOverTheLimit() {
        EngineSession session = fixture.polling(com.corundumstudio.socketio.protocol.EngineIOVersion.V4);
        SessionFixture.answer(fixture.poll(session));
        session.send(List.of(EnginePacket.message("x".repeat(200))));
        assertThat(session.isWritable()).isFalse();

        session.send(List.of(EnginePacket.message("x".repeat(2000))));
        fixture.advance(2100);
        session.send(List.of(EnginePacket.message("more")));
        assertThat(session.isOpen()).isFalse();
        assertThat(fixture.behaviourCloses).containsExactly("slow_consumer");
    }

    /**
     * A polling session whose handshake answer went to a connection whose writes nobody takes, as one whose client
     * never reads: the write's promise waits in {@code held}.
     */
    private EngineSession answeredOnAnUnreadConnection(java.util.List<io.netty.channel.ChannelPromise> held) {
        EngineSession session = fixture.polling(com.corundumstudio.socketio.protocol.EngineIOVersion.V4);
        EmbeddedChannel unread = new EmbeddedChannel(new io.netty.channel.ChannelOutboundHandlerAdapter() {
            @Override
            public void write(io.netty.channel.ChannelHandlerContext ctx, Object msg, io.netty.channel.ChannelPromise promise) {
                io.netty.util.ReferenceCountUtil.release(msg);
                held.add(promise);
            }
        });
        session.onRequest(SessionFixture.exchange(unread), Transport::onPoll);
        return session;
    }

    @Test
    void aPollingClientThatPollsAgainWithoutReadingItsLastAnswerGetsNothingMoreAndIsDropped() {
        java.util.List<io.netty.channel.ChannelPromise> held = new java.util.ArrayList<>();
        EngineSession session = answeredOnAnUnreadConnection(held);
        assertThat(held).as("the handshake answer, never taken").hasSize(1);

        // The client polls again on another connection, and keeps doing so, without reading the first.
        EmbeddedChannel next = fixture.poll(session);
        session.send(List.of(EnginePacket.message("x".repeat(2000))));
        assertThat(SessionFixture.answer(next)).as("held while the last answer is not taken").isNull();
        assertThat(session.isWritable()).isFalse();
        fixture.advance(2100);
        session.send(List.of(EnginePacket.message("more")));
        assertThat(session.isOpen()).isFalse();
        assertThat(fixture.behaviourCloses).containsExactly("slow_consumer");
        // Neither connection is left holding a request nobody will answer.
        assertThat(next.isOpen()).as("the waiting poll's connection").isFalse();
        assertThat(held.get(0).channel().isOpen()).as("the untaken answer's connection").isFalse();
    }

    @Test
    void aBacklogThatDrainedIsForgottenSoTheNextOneHasItsOwnGrace() {
        EngineSession session = fixture.polling(com.corundumstudio.socketio.protocol.EngineIOVersion.V4);
        SessionFixture.answer(fixture.poll(session));
        session.send(List.of(EnginePacket.message("x".repeat(2000))));
        fixture.advance(500);
        assertThat(SessionFixture.answer(fixture.poll(session))).as("a poll takes the backlog").startsWith("4x");

        fixture.advance(3000);
        session.send(List.of(EnginePacket.message("x".repeat(2000))));
        assertThat(session.isOpen()).as("a new backlog, within its own grace").isTrue();
        assertThat(fixture.behaviourCloses).isEmpty();
        fixture.advance(2100);
        session.send(List.of(EnginePacket.message("more")));
        assertThat(session.isOpen()).as("that one stayed over the limit").isFalse();
    }

    @Test
    void aPollWaitingForTheLastAnswerToLeaveIsAnsweredOnceItHas() {
        java.util.List<io.netty.channel.ChannelPromise> held = new java.util.ArrayList<>();
        EngineSession session = answeredOnAnUnreadConnection(held);
        EmbeddedChannel next = fixture.poll(session);
        session.send(List.of(EnginePacket.message("queued")));
        assertThat(SessionFixture.answer(next)).isNull();

        held.get(0).setSuccess();
        fixture.advance(0);
        assertThat(SessionFixture.answer(next)).isEqualTo("4queued");
        assertThat(session.isWritable()).as("no poll waits").isFalse();
        fixture.poll(session);
        assertThat(session.isWritable()).as("a poll waits, the last answer has left").isTrue();
    }

    /** Text counts in the UTF-8 bytes it is sent as: a CJK character takes three. */
    @Test
    void aPollingQueueIsCountedInUtf8BytesNotCharacters() {
        EngineSession session = fixture.polling(com.corundumstudio.socketio.protocol.EngineIOVersion.V4);
        SessionFixture.answer(fixture.poll(session));
        // 51 characters, 151 bytes: past a sixteenth of the limit (100 bytes).
        session.send(List.of(EnginePacket.message("\u4e2d".repeat(50))));
        assertThat(session.isWritable()).as("151 bytes waiting").isFalse();

        // 1,052 characters in all, 3,152 bytes: twice the limit.
        session.send(List.of(EnginePacket.message("\u4e2d".repeat(1000))));
        fixture.advance(2100);
        session.send(List.of(EnginePacket.message("more")));
        assertThat(session.isOpen()).isFalse();
        assertThat(fixture.behaviourCloses).containsExactly("slow_consumer");
        assertThat(fixture.closeReasons).containsExactly("transport error");
    }

    /** Long-polling sends binary as {@code b} and base64: 1,300 bytes go as 1,735, over the limit. */
    @Test
    void binaryQueuedForAPollingClientIsCountedAsTheBase64ItIsSentAs() {
        EngineSession session = fixture.polling(com.corundumstudio.socketio.protocol.EngineIOVersion.V4);
        SessionFixture.answer(fixture.poll(session));
        session.send(List.of(EnginePacket.binaryMessage(new byte[1300])));
        fixture.advance(2100);
        session.send(List.of(EnginePacket.message("more")));
        assertThat(session.isOpen()).isFalse();
        assertThat(fixture.behaviourCloses).containsExactly("slow_consumer");
    }

    @Test
    void theWireBytesOfQueuedPackets() {
        assertThat(Outbox.wireBytes(EnginePacket.message("\u00e9\u4e2d\ud83d\ude00x"), false)).isEqualTo(1 + 2 + 3 + 4 + 1);
        assertThat(Outbox.wireBytes(EnginePacket.PING, false)).isEqualTo(1);
        assertThat(Outbox.wireBytes(EnginePacket.binaryMessage(new byte[4]), true)).isEqualTo(1 + 8);
        assertThat(Outbox.wireBytes(EnginePacket.binaryMessage(new byte[4]), false)).isEqualTo(4);
        EnginePacket encoded = EnginePacket.message("\u4e2d");
        assertThat(Outbox.wireBytes(encoded, false)).isEqualTo(encoded.textUtf8().length);
    }
}
