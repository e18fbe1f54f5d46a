package io.realtime.gateway.admission;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.realtime.gateway.engineio.CorsPolicy;
import io.realtime.gateway.engineio.EngineOptions;
import io.realtime.gateway.engineio.EngineRequestDecoder;
import io.realtime.gateway.stats.RefusalReason;
import io.realtime.gateway.stats.TrafficObserver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The origin check: a listed origin or no origin passes, any other is answered 403 and counted. */
class OriginHandlerTest {

    private final List<RefusalReason> refusals = new ArrayList<>();
    private final List<String> passed = new ArrayList<>();
    private final EngineOptions options = new EngineOptions("/socket.io/", Duration.ofSeconds(25), Duration.ofSeconds(20),
            1_000_000, Duration.ofSeconds(10), Set.of(EngineOptions.POLLING, EngineOptions.WEBSOCKET), false,
            List.of("https://app.example"));
    private final EmbeddedChannel channel = new EmbeddedChannel() {
        @Override
        protected SocketAddress remoteAddress0() {
            return new InetSocketAddress("127.0.0.1", 50_000);
        }
    };

    OriginHandlerTest() {
        channel.pipeline().addLast(new EngineRequestDecoder(options), new OriginHandler(new CorsPolicy(options.corsOrigins()),
                new TrafficObserver() {
                    @Override
                    public void refused(RefusalReason reason) {
                        refusals.add(reason);
                    }
                }), new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                passed.add(msg.getClass().getSimpleName());
                ReferenceCountUtil.release(msg);
            }
        });
    }

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    private FullHttpResponse send(HttpMethod method, String uri, String origin) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri);
        if (origin != null) {
            request.headers().set(HttpHeaderNames.ORIGIN, origin);
        }
        channel.writeInbound(request);
        assertThat(request.refCnt()).as("released by whoever took it").isZero();
        return channel.readOutbound();
    }

    @Test
    void aForeignOriginIsRefusedOnEveryRequestAndCounted() {
        for (String uri : List.of("/socket.io/?EIO=4&transport=polling", "/socket.io/?EIO=4&transport=polling&sid=abc",
                "/socket.io/?EIO=4&transport=websocket&sid=abc")) {
            FullHttpResponse answer = send(HttpMethod.GET, uri, "https://evil.example");
            assertThat(answer.status().code()).as(uri).isEqualTo(403);
            assertThat(answer.content().toString(java.nio.charset.StandardCharsets.UTF_8)).contains("origin_not_allowed");
            answer.release();
        }
        assertThat(refusals).containsExactly(RefusalReason.ORIGIN, RefusalReason.ORIGIN, RefusalReason.ORIGIN);
        assertThat(passed).isEmpty();
    }

    @Test
    void aListedOriginNoOriginAndAPreflightPass() {
        assertThat((Object) send(HttpMethod.GET, "/socket.io/?EIO=4&transport=polling", "https://app.example")).isNull();
        assertThat((Object) send(HttpMethod.GET, "/socket.io/?EIO=4&transport=polling", null)).isNull();
        assertThat((Object) send(HttpMethod.OPTIONS, "/socket.io/?EIO=4&transport=polling", "https://evil.example")).isNull();
        assertThat(passed).hasSize(3);
        assertThat(refusals).isEmpty();
    }

    @Test
    void aSameOriginPageIsNoForeignSite() {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST,
                "/socket.io/?EIO=4&transport=polling&sid=abc");
        request.headers().set(HttpHeaderNames.ORIGIN, "http://gateway.example:3000").set(HttpHeaderNames.HOST, "gateway.example:3000");
        channel.writeInbound(request);

        assertThat((Object) channel.readOutbound()).isNull();
        assertThat(passed).hasSize(1);
        assertThat(OriginHandler.isSameOrigin("https://evil.example", "gateway.example")).isFalse();
        assertThat(OriginHandler.isSameOrigin("https://gateway.example.evil", "gateway.example")).isFalse();
    }

    @Test
    void withoutCorsOriginsEveryOriginPasses() {
        assertThat(new CorsPolicy(List.of()).allows("https://evil.example")).isTrue();
        assertThat(new CorsPolicy(List.of("*")).allows("https://evil.example")).isTrue();
    }
}
