package io.realtime.gateway.engineio;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.realtime.gateway.engineio.SessionFixture.nextFrameText;
import static org.assertj.core.api.Assertions.assertThat;

/** A broadcast's frames as the fan-out writes them: once per connection, at the frame encoder, counted once. */
class SessionFanOutTest {

    private final SessionFixture fixture = new SessionFixture();
    private final SessionFanOut fanOut = new SessionFanOut(java.time.Duration.ZERO);

    @AfterEach
    void close() {
        fixture.close();
    }

    /** A WebSocket connection laid out as after a handshake: Netty's frame encoder, and a handler behind it. */
    private EmbeddedChannel upgradedChannel(List<Object> seenBehindEncoder) {
        EmbeddedChannel channel = fixture.channel();
        channel.pipeline().addLast("wsencoder", new WebSocket13FrameEncoder(false));
        channel.pipeline().addLast("behind", new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                seenBehindEncoder.add(msg.getClass().getSimpleName());
                ctx.write(msg, promise);
            }
        });
        return channel;
    }

    @Test
    void everyConnectionGetsTheFramesOnceFlushedAndTheBatchIsCountedOnce() {
        List<Object> seenBehindEncoder = new ArrayList<>();
        List<EmbeddedChannel> channels = new ArrayList<>();
        List<EngineSession> sessions = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            EmbeddedChannel channel = upgradedChannel(seenBehindEncoder);
            EngineSession session = fixture.webSocket(channel);
            fixture.advance(0);
            assertThat(nextFrameText(channel)).startsWith("0{");
            channels.add(channel);
            sessions.add(session);
        }
        fixture.batchesSent.clear();
        seenBehindEncoder.clear();

        List<Integer> sentOnLoop = new ArrayList<>();
        fanOut.send(SessionFanOut.group(sessions), List.of(EnginePacket.message("2[\"news\",1]"),
                EnginePacket.message("2[\"news\",2]")), sentOnLoop::add);
        fixture.advance(0);

        for (EmbeddedChannel channel : channels) {
            assertThat(nextFrameText(channel)).isEqualTo("42[\"news\",1]");
            assertThat(nextFrameText(channel)).isEqualTo("42[\"news\",2]");
            assertThat((Object) channel.readOutbound()).isNull();
        }
        // Entered at the encoder: the handlers behind it, which only look at frame objects, are not walked.
        assertThat(seenBehindEncoder).isEmpty();
        // 6 frames of 2 + 12 bytes each, reported in one call for the loop.
        assertThat(fixture.batchesSent).hasSize(1);
        assertThat(fixture.batchesSent.get(0)).containsExactly(6, 6 * 14);
        // One loop, three recipients that take broadcasts: the events sent, counted once for the loop.
        assertThat(sentOnLoop).containsExactly(3);
    }

    @Test
    void aCloseFrameAfterABroadcastStillGoesThroughTheEncoderAndFollowsIt() {
        List<Object> seenBehindEncoder = new ArrayList<>();
        EmbeddedChannel channel = upgradedChannel(seenBehindEncoder);
        EngineSession session = fixture.webSocket(channel);
        fixture.advance(0);
        nextFrameText(channel);
        seenBehindEncoder.clear();

        fanOut.send(SessionFanOut.group(List.of(session)), List.of(EnginePacket.message("2[\"last\"]")), sent -> { });
        session.close();
        fixture.advance(0);

        assertThat(nextFrameText(channel)).isEqualTo("42[\"last\"]");
        assertThat(seenBehindEncoder).containsExactly(CloseWebSocketFrame.class.getSimpleName());
        ByteBuf close = channel.readOutbound();
        assertThat(close).as("the close frame, encoded").isNotNull();
        assertThat(close.getByte(0) & 0x0f).as("opcode close").isEqualTo(0x8);
        close.release();
    }
}
