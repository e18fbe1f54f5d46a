package io.realtime.gateway.engineio;

import com.corundumstudio.socketio.protocol.EngineIOVersion;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The frames we write ourselves, read back by Netty's client-side WebSocket decoder. */
class WebSocketFramesTest {

    /** Around each length encoding boundary: 7-bit, 16-bit and 64-bit lengths. */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 124, 125, 126, 127, 65_534, 65_535, 65_536, 200_000})
    void textFramesOfEveryLengthDecodeToTheRecord(int dataLength) {
        EnginePacket packet = EnginePacket.message("é".repeat(dataLength / 2) + "x".repeat(dataLength % 2));

        WebSocketFrame frame = readBack(WebSocketFrames.encode(packet, EngineIOVersion.V4, ByteBufAllocator.DEFAULT));

        assertThat(frame).isInstanceOf(TextWebSocketFrame.class);
        assertThat(frame.isFinalFragment()).isTrue();
        assertThat(((TextWebSocketFrame) frame).text()).isEqualTo(packet.encodeText());
        frame.release();
    }

    @Test
    void binaryFramesCarryTheBytesOnV4AndThePacketTypeFirstOnV3() {
        byte[] data = new byte[300];
        Arrays.fill(data, (byte) 7);
        EnginePacket packet = EnginePacket.binaryMessage(data);

        WebSocketFrame v4 = readBack(WebSocketFrames.encode(packet, EngineIOVersion.V4, ByteBufAllocator.DEFAULT));
        WebSocketFrame v3 = readBack(WebSocketFrames.encode(packet, EngineIOVersion.V3, ByteBufAllocator.DEFAULT));

        assertThat(v4).isInstanceOf(BinaryWebSocketFrame.class);
        assertThat(ByteBufUtil.getBytes(v4.content())).isEqualTo(data);
        byte[] v3Bytes = ByteBufUtil.getBytes(v3.content());
        assertThat(v3Bytes[0]).isEqualTo((byte) 4);
        assertThat(Arrays.copyOfRange(v3Bytes, 1, v3Bytes.length)).isEqualTo(data);
        v4.release();
        v3.release();
    }

    @Test
    void sharedFramesAreBuiltOncePerVersionAndFreedWhenEveryWriterIsDone() {
        WebSocketFrames.Shared shared = new WebSocketFrames.Shared(List.of(EnginePacket.message("2[\"news\"]")));

        ByteBuf first = shared.frame(0, EngineIOVersion.V4, ByteBufAllocator.DEFAULT);
        ByteBuf second = shared.frame(0, EngineIOVersion.V4, ByteBufAllocator.DEFAULT);
        shared.release();

        // The same memory under both: compared through a byte, since Netty's sampled leak detection may wrap either.
        byte header = first.getByte(0);
        first.setByte(0, header ^ 1);
        assertThat(second.getByte(0)).isEqualTo((byte) (header ^ 1));
        first.setByte(0, header);
        assertThat(first.refCnt()).isEqualTo(2);
        assertThat(readBack(first)).isInstanceOf(TextWebSocketFrame.class);
        assertThat(second.refCnt()).isEqualTo(1);
        second.release();
        assertThat(second.unwrap().refCnt()).isZero();
    }

    private static WebSocketFrame readBack(ByteBuf frame) {
        EmbeddedChannel client = new EmbeddedChannel(new WebSocket13FrameDecoder(WebSocketDecoderConfig.newBuilder()
                .expectMaskedFrames(false).maxFramePayloadLength(1 << 20).build()));
        assertThat(client.writeInbound(frame)).isTrue();
        WebSocketFrame decoded = client.readInbound();
        assertThat(client.finish()).isFalse();
        return decoded;
    }
}
