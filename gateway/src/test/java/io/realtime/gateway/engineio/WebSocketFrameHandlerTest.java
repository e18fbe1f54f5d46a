package io.realtime.gateway.engineio;

import com.corundumstudio.socketio.protocol.EngineIOVersion;
import io.netty.channel.ChannelFuture;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;

import static org.assertj.core.api.Assertions.assertThat;

/** One Close frame per WebSocket, whoever writes it: the server, or the echo of the client's; fragmented messages. */
class WebSocketFrameHandlerTest {

    private final SessionFixture fixture = new SessionFixture();

    @AfterEach
    void close() {
        fixture.close();
    }

    private EmbeddedChannel channel() {
        EngineSession session = fixture.registry.create(EngineIOVersion.V4, fixture.loop.eventLoop(), InetAddress.getLoopbackAddress());
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.pipeline().addLast(new WebSocketFrameHandler(new WebSocketTransport(session, channel), 1_000_000));
        return channel;
    }

    @Test
    void aSecondCloseFrameIsDroppedButReportedWrittenAndOtherFramesPass() {
        EmbeddedChannel channel = channel();
        CloseWebSocketFrame ours = new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE);
        CloseWebSocketFrame echo = new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE);

        channel.writeAndFlush(ours);
        ChannelFuture second = channel.writeAndFlush(echo);
        channel.writeAndFlush(new TextWebSocketFrame("4late"));

        assertThat(second.isSuccess()).isTrue();
        assertThat(echo.refCnt()).isZero();
        assertThat((Object) channel.readOutbound()).isSameAs(ours);
        TextWebSocketFrame text = channel.readOutbound();
        assertThat(text.text()).isEqualTo("4late");
        assertThat((Object) channel.readOutbound()).isNull();
        ours.release();
        text.release();
        channel.finishAndReleaseAll();
    }

    @Test
    void theClientsCloseIsEchoedOnceAndClosesTheChannelEvenAfterOurs() {
        EmbeddedChannel echoed = channel();
        echoed.writeInbound(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE));
        CloseWebSocketFrame echo = echoed.readOutbound();
        assertThat(echo.statusCode()).isEqualTo(1000);
        echo.release();
        assertThat(echoed.isOpen()).isFalse();

        EmbeddedChannel closedFirst = channel();
        CloseWebSocketFrame ours = new CloseWebSocketFrame(WebSocketCloseStatus.ENDPOINT_UNAVAILABLE);
        closedFirst.writeAndFlush(ours);
        CloseWebSocketFrame theirs = new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE);
        closedFirst.writeInbound(theirs);
        assertThat((Object) closedFirst.readOutbound()).isSameAs(ours);
        assertThat((Object) closedFirst.readOutbound()).isNull();
        assertThat(theirs.refCnt()).isZero();
        assertThat(closedFirst.isOpen()).isFalse();
        ours.release();
    }

    /** A WebSocket session on an embedded channel, its OPEN packet sent. */
    private EmbeddedChannel openWebSocket() {
        EmbeddedChannel channel = fixture.channel();
        fixture.webSocket(channel);
        fixture.loop.runPendingTasks();
        return channel;
    }

    @Test
    void aMessageSentInFragmentsArrivesWholeAndOnlyThenIsAnAggregatorPlaced() {
        EmbeddedChannel channel = openWebSocket();
        assertThat(channel.pipeline().get(WebSocketFrameAggregator.class)).isNull();

        channel.writeInbound(new TextWebSocketFrame("4whole"));
        channel.writeInbound(new TextWebSocketFrame(false, 0, "4in "));
        assertThat(channel.pipeline().get(WebSocketFrameAggregator.class)).isNotNull();
        channel.writeInbound(new ContinuationWebSocketFrame(false, 0, "three "));
        // A control frame between the fragments is answered at once, as RFC 6455 §5.4 allows it.
        channel.writeInbound(new PingWebSocketFrame(Unpooled.copiedBuffer("p", StandardCharsets.UTF_8)));
        channel.writeInbound(new ContinuationWebSocketFrame(true, 0, "parts"));
        channel.writeInbound(new BinaryWebSocketFrame(false, 0, Unpooled.wrappedBuffer(new byte[] {1, 2})));
        channel.writeInbound(new ContinuationWebSocketFrame(true, 0, Unpooled.wrappedBuffer(new byte[] {3})));
        channel.writeInbound(new TextWebSocketFrame("4after"));
        fixture.loop.runPendingTasks();

        assertThat(fixture.messages).containsExactly("whole", "in three parts", "after");
        assertThat(fixture.binaries).containsExactly("010203");
        List<String> pongs = new ArrayList<>();
        for (Object out = channel.readOutbound(); out != null; out = channel.readOutbound()) {
            if (out instanceof PongWebSocketFrame pong) {
                pongs.add(pong.content().toString(StandardCharsets.UTF_8));
            }
            ReferenceCountUtil.release(out);
        }
        assertThat(pongs).containsExactly("p");
        channel.finishAndReleaseAll();
    }

    @Test
    void fragmentsAddingUpToMoreThanTheLargestMessageCloseTheConnection() {
        EmbeddedChannel channel = openWebSocket();
        String half = "x".repeat(SessionFixture.MAX_PAYLOAD / 2 + 1);

        channel.writeInbound(new TextWebSocketFrame(false, 0, "4" + half));
        channel.writeInbound(new ContinuationWebSocketFrame(true, 0, half));
        fixture.loop.runPendingTasks();

        assertThat(fixture.messages).isEmpty();
        assertThat(channel.isOpen()).isFalse();
        channel.finishAndReleaseAll();
    }

    @Test
    void aConnectionThatFailsTheProtocolEndsItsSessionWithATransportErrorAndAClientsCloseWithATransportClose() {
        EmbeddedChannel notUtf8 = openWebSocket();
        notUtf8.writeInbound(new TextWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {'4', (byte) 0xff})));
        EmbeddedChannel tooBig = openWebSocket();
        String half = "x".repeat(SessionFixture.MAX_PAYLOAD / 2 + 1);
        tooBig.writeInbound(new TextWebSocketFrame(false, 0, "4" + half));
        tooBig.writeInbound(new ContinuationWebSocketFrame(true, 0, half));
        fixture.loop.runPendingTasks();
        // As engine.io reports ws's "error" for these, not a close.
        assertThat(fixture.closeReasons).containsExactly("transport error", "transport error");

        EmbeddedChannel closedByClient = openWebSocket();
        closedByClient.writeInbound(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE));
        fixture.loop.runPendingTasks();
        assertThat(fixture.closeReasons).containsExactly("transport error", "transport error", "transport close");
        notUtf8.finishAndReleaseAll();
        tooBig.finishAndReleaseAll();
        closedByClient.finishAndReleaseAll();
    }
}
