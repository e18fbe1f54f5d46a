package io.realtime.gateway.engineio;

import com.corundumstudio.socketio.protocol.EngineIOVersion;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.realtime.gateway.limits.HttpLimits;
import io.realtime.gateway.limits.HttpTimeouts;
import io.realtime.gateway.stats.HttpCloseObserver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The aggregator's refusals on an embedded pipeline ordered as the server's, behind a connection's request clock: a
 * refused request never reaches the clock's end handler, so a connection kept open after it would keep that
 * request's deadline: {@code REQUEST_TIMEOUT} after the oversized POST began, the connection was closed, idle or in
 * the middle of the client's next request.
 */
class EngineHttpAggregatorTest {

    private static final HttpLimits LIMITS = new HttpLimits(Duration.ofSeconds(10), Duration.ofSeconds(30), 8192, 16384);
    private static final int MAX_BODY = 1000;

    private final SessionFixture sessions = new SessionFixture();
    private final List<FullHttpRequest> held = new ArrayList<>();
    private final EmbeddedChannel channel = new EmbeddedChannel();

    EngineHttpAggregatorTest() {
        channel.freezeTime();
        HttpTimeouts.RequestClockPair clock = new HttpTimeouts(LIMITS, HttpCloseObserver.NONE).newPair();
        clock.addStart(channel.pipeline());
        // The encoder nearer the socket than the aggregator, as in the server: Netty's own early answers pass it.
        channel.pipeline().addLast(new HttpResponseEncoder(), new HttpRequestDecoder(),
                new EngineHttpAggregator(MAX_BODY, sessions.registry));
        clock.addEnd(channel.pipeline());
        channel.pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                FullHttpRequest request = (FullHttpRequest) msg;
                if (request.method().name().equals("GET")) {
                    held.add(request); // a long-poll, which the server holds
                } else {
                    request.release();
                    DefaultFullHttpResponse ok = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                    ok.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
                    ctx.channel().writeAndFlush(ok);
                }
            }
        });
    }

    @AfterEach
    void close() {
        held.forEach(FullHttpRequest::release);
        channel.finishAndReleaseAll();
        sessions.close();
    }

    private void send(String text) {
        channel.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
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

    private void after(Duration time) {
        channel.advanceTimeBy(time.toMillis(), TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
    }

    /** No deadline of the request clock is left to fire on the connection. */
    private void assertNothingArmed() {
        assertThat(channel.runScheduledPendingTasks()).as("delay of the next scheduled task").isEqualTo(-1);
    }

    /** As Node's engine.io (polling.ts, onDataRequest): a 413 and nothing else, the session named by the sid open. */
    private void assertStillOpen(EngineSession session) {
        sessions.loop.runPendingTasks();
        assertThat(sessions.closeReasons).isEmpty();
        assertThat(session.isOpen()).isTrue();
        assertThat(sessions.registry.get(session.id().toString())).isSameAs(session);
    }

    @Test
    void anOversizedKeepAlivePostIsAnswered413AndItsConnectionClosedWithNoDeadlineLeft() {
        EngineSession session = sessions.polling(EngineIOVersion.V4);

        send("POST /socket.io/?EIO=4&transport=polling&sid=" + session.id() + " HTTP/1.1\r\nHost: node\r\n"
                + "Connection: keep-alive\r\nContent-Length: " + (MAX_BODY + 1) + "\r\n\r\n" + "4".repeat(100));

        assertThat(output()).startsWith("HTTP/1.1 413").containsIgnoringCase("connection: close")
                .contains("{\"code\":3,\"message\":\"Payload too large\"}");
        assertThat(channel.isOpen()).isFalse();
        assertNothingArmed();
        assertStillOpen(session);
    }

    @Test
    void anOversizedPostWaitingFor100ContinueGetsTheSame413AndItsConnectionClosed() {
        EngineSession session = sessions.polling(EngineIOVersion.V4);

        send("POST /socket.io/?EIO=4&transport=polling&sid=" + session.id() + " HTTP/1.1\r\nHost: node\r\n"
                + "Content-Length: " + (MAX_BODY + 1) + "\r\nExpect: 100-continue\r\n\r\n");

        assertThat(output()).startsWith("HTTP/1.1 413").containsIgnoringCase("connection: close")
                .contains("{\"code\":3,\"message\":\"Payload too large\"}");
        assertThat(channel.isOpen()).isFalse();
        assertNothingArmed();
        assertStillOpen(session);
    }

    /**
     * A sid is anyone's to write: an oversized POST naming a WebSocket session, on the Engine.IO path or any other,
     * is refused and the session goes on (it was closed with "transport error", whatever the request's path).
     */
    @Test
    void anOversizedPostNamingAWebSocketSessionLeavesThatSessionWorking() {
        EmbeddedChannel webSocket = sessions.channel();
        EngineSession session = sessions.webSocket(webSocket);
        assertThat(SessionFixture.nextFrameText(webSocket)).startsWith("0{");

        send("POST /socket.io/?EIO=4&transport=polling&sid=" + session.id() + " HTTP/1.1\r\nHost: node\r\n"
                + "Content-Length: " + (MAX_BODY + 1) + "\r\n\r\n" + "4".repeat(MAX_BODY + 1));
        assertThat(output()).startsWith("HTTP/1.1 413");
        EmbeddedChannel other = new EmbeddedChannel();
        other.pipeline().addLast(new HttpResponseEncoder(), new HttpRequestDecoder(),
                new EngineHttpAggregator(MAX_BODY, sessions.registry));
        other.writeInbound(Unpooled.copiedBuffer("POST /anything?sid=" + session.id() + " HTTP/1.1\r\nHost: node\r\n"
                + "Content-Length: " + (MAX_BODY + 1) + "\r\n\r\n", StandardCharsets.ISO_8859_1));
        ByteBuf refusal = other.readOutbound();
        assertThat(refusal.toString(StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 413");
        refusal.release();
        other.finishAndReleaseAll();

        assertStillOpen(session);
        webSocket.writeInbound(new TextWebSocketFrame("4still here"));
        sessions.loop.runPendingTasks();
        assertThat(sessions.messages).containsExactly("still here");
        assertThat(webSocket.isOpen()).isTrue();
    }

    @Test
    void anUnsupportedExpectationIsAnswered417AndItsConnectionClosed() {
        send("POST /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: node\r\nContent-Length: 10\r\n"
                + "Expect: something-else\r\n\r\n");

        assertThat(output()).startsWith("HTTP/1.1 417").containsIgnoringCase("connection: close");
        assertThat(channel.isOpen()).isFalse();
        assertNothingArmed();
    }

    @Test
    void aBodyWithinTheLimitKeepsItsConnectionAndALongPollAfterItIsNotCut() {
        send("POST /socket.io/?EIO=4&transport=polling&sid=x HTTP/1.1\r\nHost: node\r\nContent-Length: "
                + MAX_BODY + "\r\n\r\n" + "4".repeat(MAX_BODY));
        assertThat(output()).startsWith("HTTP/1.1 200");

        send("GET /socket.io/?EIO=4&transport=polling&sid=x HTTP/1.1\r\nHost: node\r\n\r\n");
        after(Duration.ofMinutes(1));

        assertThat(channel.isOpen()).isTrue();
        assertThat(held).hasSize(1);
    }
}
