package io.realtime.gateway.admission;

import io.realtime.gateway.stats.RefusalReason;
import com.corundumstudio.socketio.protocol.EngineIOVersion;
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
import io.realtime.gateway.engineio.EngineIoError;
import io.realtime.gateway.engineio.EngineOptions;
import io.realtime.gateway.engineio.EngineRequest;
import io.realtime.gateway.engineio.EngineRequestDecoder;
import io.realtime.gateway.engineio.SessionRegistry;
import io.realtime.gateway.engineio.SessionTestAccess;
import io.realtime.gateway.stats.TrafficObserver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Admission at the front of the pipeline: refused handshakes are answered there, everything else goes on. */
class AdmissionHandlerTest {

    private final List<String> refusals = new ArrayList<>();
    private final List<Object> passed = new ArrayList<>();
    private final EngineOptions options = new EngineOptions("/socket.io/", java.time.Duration.ofSeconds(25),
            java.time.Duration.ofSeconds(20), 1_000_000, java.time.Duration.ofSeconds(10),
            java.util.Set.of(EngineOptions.POLLING, EngineOptions.WEBSOCKET), false, List.of("https://app.example"));
    private final SessionRegistry registry = new SessionRegistry(options, new TrafficObserver() { });
    private final Admission admission = new Admission(AdmissionOptions.builder().maxConnections(1).build());
    private final EmbeddedChannel channel = new EmbeddedChannel() {
        @Override
        protected SocketAddress remoteAddress0() {
            return new InetSocketAddress("127.0.0.1", 50_000);
        }
    };

    AdmissionHandlerTest() {
        registry.addListener(admission);
        channel.pipeline().addLast(new EngineRequestDecoder(options), new AdmissionHandler(admission, new TrafficObserver() {
            @Override
            public void refused(RefusalReason reason) {
                refusals.add(reason.tag());
            }
        }), new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                passed.add(msg instanceof EngineRequest request ? request.problem() == null ? "engine.io" : request.problem()
                        : msg.getClass().getSimpleName());
                ReferenceCountUtil.release(msg);
            }
        });
    }

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    private FullHttpResponse request(HttpMethod method, String uri) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri);
        request.headers().set(HttpHeaderNames.ORIGIN, "https://app.example");
        assertThat(request.refCnt()).isOne();
        channel.writeInbound(request);
        assertThat(request.refCnt()).as("released by whoever took it").isZero();
        return channel.readOutbound();
    }

    private static String body(FullHttpResponse response) {
        try {
            return response.content().toString(StandardCharsets.UTF_8);
        } finally {
            response.release();
        }
    }

    @Test
    void handshakesPassWhileThereIsRoomAndAreAnsweredHereOnceFull() {
        assertThat(request(HttpMethod.GET, "/socket.io/?EIO=4&transport=polling")).isNull();
        assertThat(passed).containsExactly("engine.io");

        SessionTestAccess.open(registry, EngineIOVersion.V4, channel.eventLoop(), java.net.InetAddress.getLoopbackAddress());
        FullHttpResponse full = request(HttpMethod.GET, "/socket.io/?EIO=4&transport=polling");
        assertThat(full.status().code()).isEqualTo(503);
        assertThat(full.headers().get(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN)).as("CORS as on any answer")
                .isEqualTo("https://app.example");
        assertThat(full.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("application/json");
        assertThat(body(full)).isEqualTo(
                "{\"code\":\"server_full\",\"message\":\"the node is at its connection limit, try another\"}");
        assertThat(refusals).containsExactly("limit");
        assertThat(passed).hasSize(1);
    }

    @Test
    void requestsOfOpenSessionsMalformedHandshakesAndOtherPathsAlwaysPass() {
        SessionTestAccess.open(registry, EngineIOVersion.V4, channel.eventLoop(), java.net.InetAddress.getLoopbackAddress());
        admission.stopAccepting();

        assertThat(request(HttpMethod.GET, "/socket.io/?EIO=4&transport=polling&sid=abc")).isNull();
        assertThat(request(HttpMethod.POST, "/socket.io/?EIO=4&transport=polling")).isNull();
        assertThat(request(HttpMethod.GET, "/socket.io/?EIO=9&transport=polling")).isNull();
        assertThat(request(HttpMethod.GET, "/socket.io/?EIO=4&transport=carrier-pigeon")).isNull();
        assertThat(request(HttpMethod.OPTIONS, "/socket.io/?EIO=4&transport=polling")).isNull();
        assertThat(request(HttpMethod.GET, "/index.html")).isNull();

        assertThat(passed).containsExactly("engine.io", EngineIoError.BAD_HANDSHAKE_METHOD,
                EngineIoError.UNSUPPORTED_PROTOCOL_VERSION, EngineIoError.UNKNOWN_TRANSPORT, "engine.io",
                "DefaultFullHttpRequest");
        assertThat(refusals).isEmpty();
    }

    @Test
    void aDrainingNodeAnswersEveryHandshake503Draining() {
        admission.stopAccepting();
        FullHttpResponse draining = request(HttpMethod.GET, "/socket.io?EIO=4&transport=polling");
        assertThat(draining.status().code()).isEqualTo(503);
        assertThat(body(draining)).isEqualTo(EngineIoError.DRAINING.json());
        assertThat(refusals).containsExactly("draining");
        assertThat(channel.isOpen()).as("keep-alive: the connection stays").isTrue();
    }

    /** As Node's abortUpgrade: a refused WebSocket handshake gets its answer with Connection: close, then the end. */
    @Test
    void aRefusedWebSocketHandshakeIsAnsweredAndItsConnectionClosed() {
        SessionTestAccess.open(registry, EngineIOVersion.V4, channel.eventLoop(), java.net.InetAddress.getLoopbackAddress());
        FullHttpResponse full = webSocketHandshake();
        assertThat(full.status().code()).isEqualTo(503);
        assertThat(full.headers().get(HttpHeaderNames.CONNECTION)).isEqualToIgnoringCase("close");
        assertThat(body(full)).isEqualTo(EngineIoError.SERVER_FULL.json());
        assertThat(refusals).containsExactly("limit");
        assertThat(passed).isEmpty();
        channel.runPendingTasks();
        assertThat(channel.isOpen()).as("closed after the answer").isFalse();
    }

    @Test
    void aDrainingNodeClosesAWebSocketHandshakesConnectionAfterItsAnswer() {
        admission.stopAccepting();
        FullHttpResponse draining = webSocketHandshake();
        assertThat(draining.status().code()).isEqualTo(503);
        assertThat(draining.headers().get(HttpHeaderNames.CONNECTION)).isEqualToIgnoringCase("close");
        assertThat(body(draining)).isEqualTo(EngineIoError.DRAINING.json());
        assertThat(refusals).containsExactly("draining");
        channel.runPendingTasks();
        assertThat(channel.isOpen()).as("closed after the answer").isFalse();
    }

    private FullHttpResponse webSocketHandshake() {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET,
                "/socket.io/?EIO=4&transport=websocket");
        request.headers().set(HttpHeaderNames.UPGRADE, "websocket").set(HttpHeaderNames.CONNECTION, "Upgrade")
                .set(HttpHeaderNames.SEC_WEBSOCKET_KEY, "dGhlIHNhbXBsZSBub25jZQ==")
                .set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, "13");
        channel.writeInbound(request);
        assertThat(request.refCnt()).as("released by whoever took it").isZero();
        return channel.readOutbound();
    }
}
