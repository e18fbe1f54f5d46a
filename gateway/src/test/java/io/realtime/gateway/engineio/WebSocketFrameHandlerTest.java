package io.realtime.gateway.engineio;

import com.corundumstudio.socketio.protocol.EngineIOVersion;
import io.netty.channel.ChannelFuture;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;

import static org.assertj.core.api.Assertions.assertThat;

/** One Close frame per WebSocket, whoever writes it: the server, or the echo of the client's. */
class WebSocketFrameHandlerTest {

    private final SessionFixture fixture = new SessionFixture();

    @AfterEach
    void close() {
        fixture.close();
    }

    private EmbeddedChannel channel() {
        EngineSession session = fixture.registry.create(EngineIOVersion.V4, fixture.loop.eventLoop(), InetAddress.getLoopbackAddress());
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.pipeline().addLast(new WebSocketFrameHandler(new WebSocketTransport(session, channel)));
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
}
