package io.realtime.gateway.engineio;

import io.realtime.gateway.stats.DisconnectReason;
import com.corundumstudio.socketio.protocol.EngineIOVersion;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.ArrayDeque;
import java.util.List;

import static io.realtime.gateway.engineio.SessionFixture.answer;
import static io.realtime.gateway.engineio.SessionFixture.exchange;
import static io.realtime.gateway.engineio.SessionFixture.nextFrameText;
import static org.assertj.core.api.Assertions.assertThat;

/** Each transport on its own: what it can send when, how it sends, how it ends. */
class TransportsTest {

    private final SessionFixture fixture = new SessionFixture();

    @AfterEach
    void close() {
        fixture.close();
    }

    private EngineSession session() {
        EngineSession session = fixture.registry.create(EngineIOVersion.V4, fixture.loop.eventLoop(),
                InetAddress.getLoopbackAddress());
        return session;
    }

    private static ArrayDeque<EnginePacket> queue(EnginePacket... packets) {
        return new ArrayDeque<>(List.of(packets));
    }

    @Test
    void pollingSendsOnlyWhileAPollWaitsAndAnswersItWithOnePayload() {
        EngineSession session = session();
        PollingTransport polling = new PollingTransport(session, false);
        session.open(polling);
        assertThat(polling.canSend()).isFalse();

        EmbeddedChannel http = fixture.channel();
        polling.onPoll(exchange(http));
        ArrayDeque<EnginePacket> packets = queue(EnginePacket.message("a"), EnginePacket.binaryMessage(new byte[] {1, 2}));
        // The session flushed its OPEN packet into the poll; this one waits.
        answer(http);
        EmbeddedChannel second = fixture.channel();
        polling.onPoll(exchange(second));
        assertThat(polling.canSend()).isTrue();
        assertThat(polling.hasPendingPoll()).isTrue();

        polling.send(packets);
        assertThat(packets).isEmpty();
        assertThat(polling.canSend()).isFalse();
        assertThat(answer(second)).isEqualTo("4a\u001ebAQI=");
    }

    @Test
    void pollingForBase64ClientsAndTheFarewellOfAWaitingPoll() {
        EngineSession session = session();
        PollingTransport polling = new PollingTransport(session, true);
        session.open(polling);
        EmbeddedChannel first = fixture.channel();
        polling.onPoll(exchange(first));
        answer(first);

        EmbeddedChannel waiting = fixture.channel();
        polling.onPoll(exchange(waiting));
        polling.close(EnginePacket.CLOSE);
        assertThat(answer(waiting)).isEqualTo("1");
        assertThat(polling.hasPendingPoll()).isFalse();

        EmbeddedChannel discarded = fixture.channel();
        polling.onPoll(exchange(discarded));
        polling.discard();
        assertThat(answer(discarded)).as("released when the session moved on").isEqualTo("6");
    }

    @Test
    void aWaitingPollWhoseConnectionDropsClosesTheSession() {
        EngineSession session = fixture.polling(EngineIOVersion.V4);
        answer(fixture.poll(session));
        EmbeddedChannel waiting = fixture.poll(session);

        waiting.close();
        fixture.loop.runPendingTasks();
        assertThat(session.isOpen()).isFalse();
        assertThat(fixture.closeReasons).containsExactly("transport error");
    }

    @Test
    void aWebSocketSendsOnceItsHandshakeIsAnsweredOneFramePerPacket() {
        EngineSession session = session();
        EmbeddedChannel channel = fixture.channel();
        WebSocketTransport webSocket = new WebSocketTransport(session, channel);
        assertThat(webSocket.canSend()).isFalse();
        assertThat(webSocket.canUpgrade()).isFalse();

        webSocket.opened();
        webSocket.send(queue(EnginePacket.message("a"), EnginePacket.PING));
        assertThat(nextFrameText(channel)).isEqualTo("4a");
        assertThat(nextFrameText(channel)).isEqualTo("2");
    }

    @Test
    void sharedFramesAreWrittenWithoutFlushingUntilTheFanOutFlushes() {
        EngineSession session = session();
        EmbeddedChannel channel = fixture.channel();
        WebSocketTransport webSocket = new WebSocketTransport(session, channel);
        WebSocketFrames.Shared frames = new WebSocketFrames.Shared(List.of(EnginePacket.message("shared")));
        try {
            assertThat(webSocket.writeShared(frames)).as("not before the handshake").isFalse();
            webSocket.opened();
            assertThat(webSocket.writeShared(frames)).isTrue();
            assertThat(channel.outboundMessages()).isEmpty();
            webSocket.flushShared();
            assertThat(nextFrameText(channel)).isEqualTo("4shared");
        } finally {
            frames.release();
        }
        assertThat(new PollingTransport(session, false).writeShared(frames)).as("polling queues instead").isFalse();
    }

    @Test
    void aWebSocketPastItsHighWaterMarkIsNotWritableAndTellsWhatWaits() {
        EngineSession session = session();
        EmbeddedChannel channel = fixture.channel();
        channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(8, 16));
        WebSocketTransport webSocket = new WebSocketTransport(session, channel);
        webSocket.opened();
        assertThat(webSocket.isWritable()).isTrue();

        WebSocketFrames.Shared frames = new WebSocketFrames.Shared(List.of(EnginePacket.message("x".repeat(100))));
        try {
            webSocket.writeShared(frames);
        } finally {
            frames.release();
        }
        assertThat(webSocket.isWritable()).isFalse();
        assertThat(webSocket.pendingBytes()).isGreaterThanOrEqualTo(100);

        webSocket.flushShared();
        assertThat(webSocket.isWritable()).isTrue();
        assertThat(webSocket.pendingBytes()).isLessThan(16);
        channel.releaseOutbound();
    }

    @Test
    void aWebSocketClosesWithACloseFrameAndAbortsWithout() {
        EmbeddedChannel closed = fixture.channel();
        WebSocketTransport open = new WebSocketTransport(session(), closed);
        open.opened();
        open.close(null);
        CloseWebSocketFrame frame = closed.readOutbound();
        assertThat(frame.statusCode()).isEqualTo(1000);
        frame.release();
        assertThat(closed.isOpen()).isFalse();

        EmbeddedChannel neverOpened = fixture.channel();
        new WebSocketTransport(session(), neverOpened).close(null);
        assertThat((Object) neverOpened.readOutbound()).as("no frame before the handshake is answered").isNull();
        assertThat(neverOpened.isOpen()).isFalse();

        EmbeddedChannel aborted = fixture.channel();
        new WebSocketTransport(session(), aborted).abort();
        assertThat((Object) aborted.readOutbound()).isNull();
        assertThat(aborted.isOpen()).isFalse();
    }

    @Test
    void aWebSocketWhosePeerReadsNothingIsDroppedWhenItsCloseFrameCannotGoOut() {
        // A write that never completes: the Close frame stays behind what the peer does not read.
        EmbeddedChannel stuck = new EmbeddedChannel(new io.netty.channel.ChannelOutboundHandlerAdapter() {
            @Override
            public void write(io.netty.channel.ChannelHandlerContext ctx, Object msg, io.netty.channel.ChannelPromise promise) {
                io.netty.util.ReferenceCountUtil.release(msg);
            }
        });
        stuck.freezeTime();
        WebSocketTransport webSocket = new WebSocketTransport(session(), stuck);
        webSocket.opened();
        webSocket.close(null);
        stuck.runPendingTasks();
        assertThat(stuck.isOpen()).as("the Close frame may still go out").isTrue();

        stuck.advanceTimeBy(3, java.util.concurrent.TimeUnit.SECONDS);
        stuck.runScheduledPendingTasks();
        assertThat(stuck.isOpen()).isFalse();
    }

    @Test
    void anEngineIoV3BinaryFrameNeedsItsMessageType() {
        EngineSession session = fixture.registry.create(EngineIOVersion.V3, fixture.loop.eventLoop(),
                InetAddress.getLoopbackAddress());
        EmbeddedChannel channel = fixture.channel();
        WebSocketTransport webSocket = new WebSocketTransport(session, channel);
        session.open(webSocket);
        session.setListener(new EngineSession.Listener() {
            @Override
            public void onBinary(EngineSession s, byte[] data) {
                fixture.messages.add("binary " + data.length);
            }

            @Override
            public void onClose(EngineSession s, DisconnectReason reason) {
                fixture.closeReasons.add(reason.text());
            }
        });
        webSocket.onHandshakeAnswered();

        webSocket.onBinary(new byte[] {4, 9, 9});
        assertThat(fixture.messages).containsExactly("binary 2");
        webSocket.onBinary(new byte[] {9});
        assertThat(fixture.closeReasons).containsExactly("parse error");
    }
}
