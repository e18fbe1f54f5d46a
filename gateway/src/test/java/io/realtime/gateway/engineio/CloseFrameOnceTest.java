package io.realtime.gateway.engineio;

import io.netty.channel.ChannelFuture;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CloseFrameOnceTest {

    @Test
    void aSecondCloseFrameIsDroppedButReportedWrittenAndOtherFramesPass() {
        EmbeddedChannel channel = new EmbeddedChannel(new CloseFrameOnce());
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
}
