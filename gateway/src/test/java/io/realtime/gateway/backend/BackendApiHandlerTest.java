package io.realtime.gateway.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.realtime.gateway.api.Validators;
import io.realtime.gateway.broadcast.ServerPush;
import io.realtime.gateway.metrics.ApiMetrics;
import io.realtime.gateway.metrics.MeterNames;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The backend API handler alone, on an embedded channel: what a request that fails unexpectedly gets. */
class BackendApiHandlerTest {

    private static final String KEY = "backend-key";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static FullHttpRequest post(String path, String body) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, path,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        request.headers().set(HttpHeaderNames.AUTHORIZATION, "Bearer " + KEY);
        request.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        return request;
    }

    @Test
    void anUnexpectedFailureAnswers500InTheApisErrorFormatIsCountedAndTheConnectionServesOn() throws Exception {
        AtomicInteger sends = new AtomicInteger();
        // The first broadcast fails as a bug would; the next goes through.
        ServerPush push = new ServerPush((target, event, args) -> {
            if (sends.incrementAndGet() == 1) {
                throw new IllegalStateException("a bug in the broadcaster");
            }
        });
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ApiMetrics metrics = new ApiMetrics(BackendApiHandler.ROUTES, HttpResponseStatus.ACCEPTED.code());
        metrics.bindTo(registry);
        EmbeddedChannel channel = new EmbeddedChannel(new BackendApiHandler(null, push, JSON, Validators.create(), KEY, metrics));

        FullHttpRequest failing = post("/api/v1/data", "{\"version\":7}");
        channel.writeInbound(failing);

        FullHttpResponse answer = channel.readOutbound();
        assertThat(answer).isNotNull();
        assertThat(answer.status()).isEqualTo(HttpResponseStatus.INTERNAL_SERVER_ERROR);
        assertThat(answer.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("application/json");
        JsonNode error = JSON.readTree(answer.content().toString(StandardCharsets.UTF_8)).get("error");
        assertThat(error.get("code").asText()).isEqualTo("internal_error");
        assertThat(error.get("message").asText()).isNotBlank().doesNotContain("a bug in the broadcaster");
        answer.release();
        assertThat(failing.refCnt()).as("the failed request is released").isZero();
        assertThat(registry.find(MeterNames.API_REQUESTS).tags(MeterNames.ROUTE, "data", MeterNames.STATUS, "500")
                .timer()).isNotNull().extracting(timer -> timer.count()).isEqualTo(1L);

        assertThat(channel.isOpen()).as("the connection is kept").isTrue();
        channel.writeInbound(post("/api/v1/data", "{\"version\":8}"));
        FullHttpResponse next = channel.readOutbound();
        assertThat(next.status()).isEqualTo(HttpResponseStatus.ACCEPTED);
        next.release();
        assertThat(registry.find(MeterNames.API_REQUESTS).tags(MeterNames.ROUTE, "data", MeterNames.STATUS, "202")
                .timer().count()).isEqualTo(1L);
        channel.finishAndReleaseAll();
    }
    /** An embedded channel whose peer is a loopback address, as a local tool's or a local browser's connection. */
    static EmbeddedChannel fromLoopback(io.netty.channel.ChannelHandler... handlers) {
        return new EmbeddedChannel(handlers) {
            @Override
            protected java.net.SocketAddress remoteAddress0() {
                return new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 50000);
            }
        };
    }

    /**
     * DNS rebinding: a page of evil.example whose name now resolves to 127.0.0.1 is same-origin with itself, so its
     * browser's POST comes from loopback with Origin matching Host. Without API_KEY only this machine's names pass.
     */
    @Test
    void withoutAKeyARequestNamingAnotherHostIsRefused403EvenFromLoopbackAndSameOrigin() throws Exception {
        AtomicInteger sends = new AtomicInteger();
        ServerPush push = new ServerPush((target, event, args) -> sends.incrementAndGet());
        ApiMetrics metrics = new ApiMetrics(BackendApiHandler.ROUTES, HttpResponseStatus.ACCEPTED.code());
        EmbeddedChannel channel = fromLoopback(new BackendApiHandler(null, push, JSON, Validators.create(), null, metrics));

        FullHttpRequest rebound = post("/api/v1/data", "{}");
        rebound.headers().remove(HttpHeaderNames.AUTHORIZATION);
        rebound.headers().set(HttpHeaderNames.HOST, "evil.example:9090").set(HttpHeaderNames.ORIGIN, "http://evil.example:9090");
        channel.writeInbound(rebound);
        FullHttpResponse refused = channel.readOutbound();
        assertThat(refused.status()).isEqualTo(HttpResponseStatus.FORBIDDEN);
        JsonNode error = JSON.readTree(refused.content().toString(StandardCharsets.UTF_8)).get("error");
        assertThat(error.get("code").asText()).isEqualTo("forbidden");
        assertThat(error.get("message").asText()).contains("Host: evil.example:9090");
        refused.release();
        assertThat(sends).hasValue(0);

        FullHttpRequest local = post("/api/v1/data", "{}");
        local.headers().remove(HttpHeaderNames.AUTHORIZATION);
        local.headers().set(HttpHeaderNames.HOST, "localhost:9090").set(HttpHeaderNames.ORIGIN, "http://localhost:9090");
        channel.writeInbound(local);
        FullHttpResponse accepted = channel.readOutbound();
        assertThat(accepted.status()).isEqualTo(HttpResponseStatus.ACCEPTED);
        accepted.release();
        assertThat(sends).hasValue(1);
        channel.finishAndReleaseAll();
    }
}
