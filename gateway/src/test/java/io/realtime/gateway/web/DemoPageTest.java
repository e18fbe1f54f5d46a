package io.realtime.gateway.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class DemoPageTest {

    private final EmbeddedChannel channel = new EmbeddedChannel(new DemoPage(null, new ObjectMapper(), false));

    @Test
    void thePageIsServedAgainAndAgainWithTheSameBytes() {
        String first = get("/");
        String second = get("/");
        assertThat(first).contains("<html").isEqualTo(second);
        assertThat(get("/style.css")).isNotEmpty();
    }

    @Test
    void anUnknownAssetGoesOnToTheNextHandler() {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/missing.js");
        channel.writeInbound(request);
        assertThat((Object) channel.readOutbound()).isNull();
        FullHttpRequest passed = channel.readInbound();
        assertThat(passed).isSameAs(request);
        assertThat(passed.refCnt()).isEqualTo(1);
        passed.release();
    }

    private String get(String path) {
        channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path));
        FullHttpResponse response = channel.readOutbound();
        try {
            assertThat(response.status()).isEqualTo(HttpResponseStatus.OK);
            assertThat(response.headers().get(HttpHeaderNames.CACHE_CONTROL)).isEqualTo("no-cache");
            return response.content().toString(StandardCharsets.UTF_8);
        } finally {
            response.release();
        }
    }
    private final java.util.List<String> notified = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** An open demo (no API_KEY) on a connection from loopback. */
    private final EmbeddedChannel open = new EmbeddedChannel(new DemoPage(
            new io.realtime.gateway.broadcast.ServerPush((target, event, args) -> notified.add(target.rooms().toString())),
            new ObjectMapper(), true)) {
        @Override
        protected java.net.SocketAddress remoteAddress0() {
            return new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 50000);
        }
    };

    private FullHttpResponse notify(String path, String host, String origin) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, path,
                io.netty.buffer.Unpooled.copiedBuffer("{\"n\":1}", StandardCharsets.UTF_8));
        request.headers().set(HttpHeaderNames.HOST, host);
        if (origin != null) {
            request.headers().set(HttpHeaderNames.ORIGIN, origin);
        }
        open.writeInbound(request);
        return open.readOutbound();
    }

    /** DNS rebinding: the demo's own page, served under a name rebound to 127.0.0.1, is same-origin with itself. */
    @Test
    void aNotificationFromAPageOfAnotherHostNameIsRefused403() {
        FullHttpResponse refused = notify("/demo/notifications/bob", "evil.example:8080", "http://evil.example:8080");
        assertThat(refused.status()).isEqualTo(HttpResponseStatus.FORBIDDEN);
        assertThat(refused.content().toString(StandardCharsets.UTF_8)).contains("\"forbidden\"", "localhost");
        refused.release();
        assertThat(notified).isEmpty();

        FullHttpResponse accepted = notify("/demo/notifications/bob", "127.0.0.1:8080", "http://127.0.0.1:8080");
        assertThat(accepted.status()).isEqualTo(HttpResponseStatus.ACCEPTED);
        accepted.release();
        assertThat(notified).hasSize(1);
        open.finishAndReleaseAll();
    }
    /**
     * Behind a proxy on this machine (a sidecar in front of a Socket.IO port on loopback) every request comes from
     * loopback, and with nginx's default Host it names this machine: anyone could notify anyone. Forwarding headers
     * give the proxy away; a trusted proxy's, which named the client, do not count against it.
     */
    @Test
    void aNotificationAProxyForwardedIsRefused403UnlessATrustedProxyNamedALoopbackClient() {
        FullHttpRequest forwarded = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/demo/notifications/bob",
                io.netty.buffer.Unpooled.copiedBuffer("{\"n\":1}", StandardCharsets.UTF_8));
        forwarded.headers().set(HttpHeaderNames.HOST, "127.0.0.1:3000").set("X-Forwarded-For", "203.0.113.7");
        open.writeInbound(forwarded.retainedDuplicate());
        FullHttpResponse refused = open.readOutbound();
        assertThat(refused.status()).isEqualTo(HttpResponseStatus.FORBIDDEN);
        assertThat(refused.content().toString(StandardCharsets.UTF_8)).contains("forwarded by a proxy");
        refused.release();
        assertThat(notified).isEmpty();

        open.attr(io.realtime.gateway.engineio.ClientAddress.OF_REQUEST)
                .set(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 40000));
        open.writeInbound(forwarded);
        FullHttpResponse accepted = open.readOutbound();
        assertThat(accepted.status()).isEqualTo(HttpResponseStatus.ACCEPTED);
        accepted.release();
        assertThat(notified).hasSize(1);
        open.finishAndReleaseAll();
    }

    /** The notification route is matched and its user id cut on the raw path, one segment, as the API's. */
    @Test
    void aNotificationsUserIdIsExactlyTheRawPathsOneSegmentAfterThePrefix() {
        FullHttpResponse escaped = notify("/demo/notifications/a%2Fb", "localhost:8080", null);
        assertThat(escaped.status()).isEqualTo(HttpResponseStatus.ACCEPTED);
        escaped.release();
        assertThat(notified).hasSize(1).allSatisfy(rooms -> assertThat(rooms).contains("a/b"));

        for (String path : java.util.List.of("/%64emo/notifications/bob", "/demo/notifications/a/b")) {
            FullHttpResponse answer = notify(path, "localhost:8080", null);
            assertThat(answer).as(path + " is answered by the next handler (404)").isNull();
            FullHttpRequest passed = open.readInbound();
            assertThat(passed.uri()).isEqualTo(path);
            passed.release();
        }
        assertThat(notified).hasSize(1);
        open.finishAndReleaseAll();
    }

    @Test
    void aHeadOfAnAssetGetsTheGetsHeadersWithoutBody() {
        String page = get("/");
        channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.HEAD, "/"));
        FullHttpResponse head = channel.readOutbound();
        assertThat(head.status()).isEqualTo(HttpResponseStatus.OK);
        assertThat(head.headers().getInt(HttpHeaderNames.CONTENT_LENGTH)).isEqualTo(page.getBytes(StandardCharsets.UTF_8).length);
        assertThat(head.content().readableBytes()).isZero();
        head.release();
    }
}
