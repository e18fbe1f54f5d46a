package io.realtime.gateway.limits;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.realtime.gateway.stats.HttpClose;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The request and idle deadlines of a connection, and the 414/431 answers, on an embedded pipeline. */
class HttpTimeoutsTest {

    private static final HttpLimits LIMITS = new HttpLimits(Duration.ofSeconds(10), Duration.ofSeconds(30), 256, 1024);

    /** What the handlers reported, as the port's metric counts it. */
    private final List<HttpClose> closedBy = new ArrayList<>();
    private final List<FullHttpRequest> held = new ArrayList<>();
    private final EmbeddedChannel channel = new EmbeddedChannel();

    HttpTimeoutsTest() {
        channel.freezeTime();
        HttpTimeouts.RequestClockPair clock = new HttpTimeouts(LIMITS, closedBy::add).newPair();
        clock.addStart(channel.pipeline());
        channel.pipeline().addLast(new HttpRequestDecoder(new HttpDecoderConfig()
                .setMaxInitialLineLength(LIMITS.maxInitialLineLength()).setMaxHeaderSize(LIMITS.maxHeaderSize())));
        channel.pipeline().addLast(UndecodableRequestHandler.NAME, new UndecodableRequestHandler(closedBy::add,
                (status, code, message) -> ("{\"code\":\"" + code + "\"}").getBytes(StandardCharsets.UTF_8)));
        channel.pipeline().addLast(new HttpObjectAggregator(1000), new HttpResponseEncoder());
        clock.addEnd(channel.pipeline());
        channel.pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                FullHttpRequest request = (FullHttpRequest) msg;
                if (!ctx.channel().isActive()) {
                    request.release(); // what the decoder makes of a request cut off by the close
                } else if (request.uri().contains("hold")) {
                    held.add(request);
                } else {
                    request.release();
                    answer(request.uri().contains("upgrade") ? HttpResponseStatus.SWITCHING_PROTOCOLS : HttpResponseStatus.OK);
                }
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                // The aggregator's complaint about a request cut off by the close: expected here.
            }
        });
    }

    @AfterEach
    void close() {
        held.forEach(FullHttpRequest::release);
        channel.finishAndReleaseAll();
    }

    private void answer(HttpResponseStatus status) {
        DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status);
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        channel.writeOneOutbound(response);
        channel.flushOutbound();
    }

    private void send(String text) {
        channel.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
    }

    private void after(Duration time) {
        channel.advanceTimeBy(time.toMillis(), TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
    }

    private String output() {
        StringBuilder out = new StringBuilder();
        for (Object written; (written = channel.readOutbound()) != null; ) {
            ByteBuf bytes = (ByteBuf) written;
            out.append(bytes.toString(StandardCharsets.ISO_8859_1));
            bytes.release();
        }
        return out.toString();
    }

    @Test
    void aConnectionThatSaysNothingIsClosedWhenItsFirstRequestIsDue() {
        after(Duration.ofMillis(9_999));
        assertThat(channel.isOpen()).isTrue();

        after(Duration.ofMillis(1));

        assertThat(channel.isOpen()).isFalse();
        assertThat(closedBy).containsExactly(HttpClose.REQUEST_TIMEOUT);
    }

    @Test
    void headersSentAByteAtATimeDoNotBuyMoreTime() {
        send("GET /socket.io/?EIO=4 HTTP/1.1\r\n");
        for (int i = 0; i < 9; i++) {
            after(Duration.ofSeconds(1));
            send("X");
        }
        assertThat(channel.isOpen()).isTrue();

        after(Duration.ofSeconds(1));

        assertThat(channel.isOpen()).isFalse();
        assertThat(closedBy).containsExactly(HttpClose.REQUEST_TIMEOUT);
    }

    @Test
    void aBodyThatNeverEndsIsCutAtTheRequestTimeout() {
        send("POST /socket.io/ HTTP/1.1\r\nContent-Length: 100\r\n\r\n0123456789");
        after(Duration.ofSeconds(10));

        assertThat(channel.isOpen()).isFalse();
        assertThat(closedBy).containsExactly(HttpClose.REQUEST_TIMEOUT);
    }

    @Test
    void anIdleKeepAliveConnectionIsClosedAfterTheIdleTimeoutAndANewRequestRestartsTheClock() {
        send("GET /a HTTP/1.1\r\n\r\n");
        assertThat(output()).startsWith("HTTP/1.1 200");
        after(Duration.ofSeconds(29));
        send("GET /b HTTP/1.1\r\n\r\n");
        assertThat(output()).startsWith("HTTP/1.1 200");
        after(Duration.ofSeconds(29));
        assertThat(channel.isOpen()).isTrue();

        after(Duration.ofSeconds(1));

        assertThat(channel.isOpen()).isFalse();
        assertThat(closedBy).containsExactly(HttpClose.IDLE_TIMEOUT);
    }

    @Test
    void aLongPollHeldByTheServerIsNeverCutAndTheIdleClockStartsWithItsAnswer() {
        send("GET /hold HTTP/1.1\r\n\r\n");
        after(Duration.ofMinutes(5));
        assertThat(channel.isOpen()).isTrue();

        answer(HttpResponseStatus.OK);
        after(Duration.ofSeconds(30));

        assertThat(channel.isOpen()).isFalse();
        assertThat(closedBy).containsExactly(HttpClose.IDLE_TIMEOUT);
    }

    @Test
    void anUpgradedConnectionLeavesBothClocksBehind() {
        send("GET /upgrade HTTP/1.1\r\n\r\n");
        assertThat(output()).startsWith("HTTP/1.1 101");

        after(Duration.ofHours(1));

        assertThat(channel.isOpen()).isTrue();
        assertThat(channel.pipeline().get(RequestStartHandler.NAME)).isNull();
        assertThat(channel.pipeline().get(RequestEndHandler.NAME)).isNull();
        assertThat(closedBy).isEmpty();
    }

    @Test
    void aRequestLineOverTheLimitGets414() {
        send("GET /" + "a".repeat(300) + " HTTP/1.1\r\n\r\n");

        assertThat(output()).startsWith("HTTP/1.1 414").contains("uri_too_long");
        assertThat(channel.isOpen()).isFalse();
        after(Duration.ofMinutes(1));
        assertThat(closedBy).as("counted once, not again by a deadline").containsExactly(HttpClose.URI_TOO_LONG);
    }

    @Test
    void headersOverTheLimitGet431() {
        send("GET / HTTP/1.1\r\nX-Big: " + "b".repeat(1100) + "\r\n\r\n");

        assertThat(output()).startsWith("HTTP/1.1 431").contains("headers_too_large");
        assertThat(channel.isOpen()).isFalse();
        after(Duration.ofMinutes(1));
        assertThat(closedBy).as("counted once, not again by a deadline").containsExactly(HttpClose.HEADERS_TOO_LARGE);
    }
}
