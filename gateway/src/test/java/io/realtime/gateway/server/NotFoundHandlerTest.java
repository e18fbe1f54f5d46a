package io.realtime.gateway.server;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The end of the pipeline answers what no handler took with a JSON 404; a HEAD gets the GET's headers and no body,
 * which its keep-alive client would otherwise read as the start of its next response.
 */
class NotFoundHandlerTest {

    private static FullHttpResponse ask(EmbeddedChannel channel, HttpMethod method) {
        channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, "/nothing-here"));
        return channel.readOutbound();
    }

    @Test
    void aHeadIsAnsweredWithTheHeadersOfTheGetAndNoBody() {
        EmbeddedChannel channel = new EmbeddedChannel(NotFoundHandler.INSTANCE);
        FullHttpResponse got = ask(channel, HttpMethod.GET);
        FullHttpResponse head = ask(channel, HttpMethod.HEAD);
        try {
            assertThat(got.status().code()).isEqualTo(404);
            assertThat(got.content().readableBytes()).isPositive();
            assertThat(head.status()).isEqualTo(got.status());
            assertThat(head.headers().get(HttpHeaderNames.CONTENT_LENGTH))
                    .isEqualTo(String.valueOf(got.content().readableBytes()));
            assertThat(head.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("application/json");
            assertThat(head.content().readableBytes()).isZero();
        } finally {
            got.release();
            head.release();
            channel.finishAndReleaseAll();
        }
    }
}
