package io.realtime.gateway.limits;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.buffer.ByteBuf;
import io.realtime.gateway.stats.HttpClose;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A request the decoder gives up on (headers over its 8 KB, a request line over 4 KB, bad syntax) is answered in the
 * port's JSON format and the connection closed, whatever handler would have met it.
 */
class UndecodableRequestHandlerTest {

    @ParameterizedTest
    @CsvSource({
            "headers, 431, headers_too_large, HEADERS_TOO_LARGE",
            "line, 414, uri_too_long, URI_TOO_LONG",
            "syntax, 400, malformed, MALFORMED"})
    void anUndecodableRequestIsAnsweredInJsonAndTheConnectionClosed(String kind, int status, String code, HttpClose counted) {
        String request = switch (kind) {
            case "headers" -> "POST /api/v1/data HTTP/1.1\r\nHost: localhost\r\nX-Big: " + "x".repeat(9000)
                    + "\r\nContent-Length: 2\r\n\r\n{}";
            case "line" -> "GET /health/live?" + "x".repeat(5000) + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
            default -> "GET /health/live HTTP/1.1\r\nHost: localhost\r\nContent-Length: nope\r\n\r\n";
        };
        java.util.List<Object> reachedTheApi = new java.util.ArrayList<>();
        java.util.List<HttpClose> reported = new java.util.ArrayList<>();
        EmbeddedChannel channel = new EmbeddedChannel(new HttpServerCodec(), new UndecodableRequestHandler(reported::add,
                (answered, errorCode, message) -> ("{\"code\":\"" + errorCode + "\"}").getBytes(StandardCharsets.UTF_8)),
                new HttpObjectAggregator(1000), new io.netty.channel.ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
                        reachedTheApi.add(msg);
                        io.netty.util.ReferenceCountUtil.release(msg);
                    }
                });

        channel.writeInbound(Unpooled.copiedBuffer(request + "GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n",
                StandardCharsets.US_ASCII));

        StringBuilder wire = new StringBuilder();
        for (ByteBuf out; (out = channel.readOutbound()) != null; out.release()) {
            wire.append(out.toString(StandardCharsets.UTF_8));
        }
        assertThat(wire.toString()).startsWith("HTTP/1.1 " + status + " ").containsIgnoringCase("connection: close")
                .containsIgnoringCase("content-type: application/json").contains("\"code\":\"" + code + "\"")
                .containsOnlyOnce("HTTP/1.1");
        assertThat(reachedTheApi).isEmpty();
        assertThat(reported).as("counted once per connection").containsExactly(counted);
        assertThat(channel.isOpen()).isFalse();
        channel.finishAndReleaseAll();
    }
}
