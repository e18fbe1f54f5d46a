package io.realtime.gateway.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The encoder writes each HEAD's answer without its body, in request order, however many requests are pipelined. */
class HeadAwareHttpCodecTest {

    @Test
    void eachHeadOfAHundredPipelinedRequestsIsAnsweredWithoutItsBody() {
        HeadAwareHttpCodec.Encoder encoder = HeadAwareHttpCodec.encoder();
        EmbeddedChannel channel = new EmbeddedChannel(encoder, HeadAwareHttpCodec.decoder(new HttpDecoderConfig(), encoder),
                new HttpObjectAggregator(1000));
        StringBuilder requests = new StringBuilder();
        List<Boolean> heads = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            boolean head = i % 3 == 0 || (i >= 60 && i < 70);
            heads.add(head);
            requests.append(head ? "HEAD" : "GET").append(" /").append(i).append(" HTTP/1.1\r\nHost: a\r\n\r\n");
        }
        channel.writeInbound(Unpooled.copiedBuffer(requests, StandardCharsets.ISO_8859_1));

        for (int i = 0; i < 100; i++) {
            FullHttpRequest request = channel.readInbound();
            assertThat(request.method()).isEqualTo(heads.get(i) ? HttpMethod.HEAD : HttpMethod.GET);
            request.release();
            if (i == 5) {
                // An interim answer answers no request.
                channel.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
                assertThat(outbound(channel)).startsWith("HTTP/1.1 100 ");
            }
            byte[] body = ("answer " + i).getBytes(StandardCharsets.UTF_8);
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.wrappedBuffer(body));
            HttpUtil.setContentLength(response, body.length);
            channel.writeOutbound(response);
            String written = outbound(channel);
            assertThat(written).as("answer %d", i).contains("content-length: " + body.length)
                    .endsWith(heads.get(i) ? "\r\n\r\n" : "\r\n\r\nanswer " + i);
        }
        channel.finishAndReleaseAll();
    }

    private static String outbound(EmbeddedChannel channel) {
        StringBuilder written = new StringBuilder();
        for (Object out; (out = channel.readOutbound()) != null; ) {
            ByteBuf bytes = (ByteBuf) out;
            written.append(bytes.toString(StandardCharsets.ISO_8859_1));
            bytes.release();
        }
        return written.toString();
    }
}
