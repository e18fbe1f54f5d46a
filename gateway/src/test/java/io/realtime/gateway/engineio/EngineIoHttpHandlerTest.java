package io.realtime.gateway.engineio;

import io.realtime.gateway.stats.RefusalReason;
import com.corundumstudio.socketio.AuthorizationResult;
import com.corundumstudio.socketio.HandshakeData;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.realtime.gateway.admission.Admission;
import io.realtime.gateway.admission.AdmissionHandler;
import io.realtime.gateway.admission.AdmissionOptions;
import io.realtime.gateway.stats.TrafficObserver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** The Engine.IO requests through the pipeline's front (decoder, admission, handler) on an embedded channel. */
class EngineIoHttpHandlerTest {

    private final List<String> refusals = new ArrayList<>();
    private final List<HandshakeData> opened = new ArrayList<>();
    private final AtomicBoolean authorized = new AtomicBoolean(true);
    /** The handlers in place each time the handler let the pipeline shed its HTTP-only ones. */
    private final List<List<String>> trimmed = new ArrayList<>();
    private final TrafficObserver observer = new TrafficObserver() {
        @Override
        public void refused(RefusalReason reason) {
            refusals.add(reason.tag());
        }
    };
    private final EngineOptions options = EngineOptions.defaults();
    private final SessionRegistry sessions = new SessionRegistry(options, observer);
    private final EmbeddedChannel channel = new EmbeddedChannel() {
        @Override
        protected SocketAddress remoteAddress0() {
            return new InetSocketAddress("127.0.0.1", 50_000);
        }
    };

    EngineIoHttpHandlerTest() {
        Admission admission = new Admission(AdmissionOptions.UNLIMITED);
        sessions.addListener(admission);
        channel.pipeline().addLast(new EngineRequestDecoder(options), new AdmissionHandler(admission, observer));
        // By its name, as in the server: a WebSocket upgrade puts the frame handler in its place.
        channel.pipeline().addLast(EngineIoHttpHandler.NAME, new EngineIoHttpHandler(options, sessions, handshake -> authorized.get()
                        ? AuthorizationResult.SUCCESSFUL_AUTHORIZATION : AuthorizationResult.FAILED_AUTHORIZATION,
                        (session, handshake, storeParams) -> opened.add(handshake), false, pipeline -> trimmed.add(pipeline.names())));
    }

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    private FullHttpResponse get(String uri) {
        channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri));
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
    void aPollingHandshakeOpensASessionAndAnswersItsOpenPacket() {
        FullHttpResponse answer = get("/socket.io/?EIO=4&transport=polling&token=abc");

        assertThat(answer.status().code()).isEqualTo(200);
        assertThat(sessions.size()).isOne();
        EngineSession session = sessions.all().iterator().next();
        assertThat(body(answer)).startsWith("0{\"sid\":\"" + session.id() + "\",\"upgrades\":[\"websocket\"]");
        assertThat(opened).singleElement().satisfies(handshake ->
                assertThat(handshake.getSingleUrlParam("token")).isEqualTo("abc"));
        assertThat(session.remoteAddress().getHostAddress()).isEqualTo("127.0.0.1");
    }

    @Test
    void aWebSocketHandshakeHasThePipelineShedItsHttpHandlersOnceTheFrameHandlerIsInPlace() {
        // Netty's handshaker swaps the HTTP codec for the WebSocket one: it needs one in the pipeline.
        channel.pipeline().addFirst(new io.netty.handler.codec.http.HttpServerCodec());
        DefaultFullHttpRequest upgrade = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/socket.io/?EIO=4&transport=websocket");
        upgrade.headers().set("Host", "localhost").set("Upgrade", "websocket").set("Connection", "Upgrade")
                .set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==").set("Sec-WebSocket-Version", "13");
        channel.writeInbound(upgrade);
        channel.runPendingTasks();

        io.netty.buffer.ByteBuf response = channel.readOutbound();
        assertThat(response.toString(StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 101 Switching Protocols");
        response.release();
        assertThat(sessions.size()).isOne();
        // No aggregator until a client sends a message in fragments (WebSocketFrameHandlerTest).
        assertThat(trimmed).singleElement().satisfies(names -> assertThat(names)
                .contains(EngineIoHttpHandler.WEBSOCKET_HANDLER).doesNotContain(EngineIoHttpHandler.WEBSOCKET_AGGREGATOR));
    }

    @Test
    void aPollingHandshakeLeavesThePipelineAsItIs() {
        get("/socket.io/?EIO=4&transport=polling").release();
        assertThat(trimmed).isEmpty();
    }

    @Test
    void aHandshakeTheApplicationRefusesIsForbiddenAndOpensNothing() {
        authorized.set(false);
        FullHttpResponse answer = get("/socket.io/?EIO=4&transport=polling");

        assertThat(answer.status().code()).isEqualTo(403);
        assertThat(body(answer)).isEqualTo("{\"code\":4,\"message\":\"Forbidden\"}");
        assertThat(refusals).containsExactly("auth");
        assertThat(sessions.size()).isZero();
        assertThat(opened).isEmpty();
    }

    /**
     * As engine.io's abortUpgrade: a WebSocket upgrade refused (by the application, or for a session it does not
     * know) is answered with Connection: close and its connection closed after the answer.
     */
    @Test
    void aRefusedWebSocketUpgradeIsAnsweredAndItsConnectionClosed() {
        authorized.set(false);
        FullHttpResponse forbidden = upgrade("/socket.io/?EIO=4&transport=websocket");
        assertThat(forbidden.status().code()).isEqualTo(403);
        assertThat(forbidden.headers().get("Connection")).isEqualToIgnoringCase("close");
        assertThat(body(forbidden)).isEqualTo("{\"code\":4,\"message\":\"Forbidden\"}");
        channel.runPendingTasks();
        assertThat(channel.isOpen()).as("closed after the answer").isFalse();
    }

    @Test
    void aWebSocketUpgradeForAnUnknownSessionIsAnsweredAndItsConnectionClosed() {
        FullHttpResponse unknown = upgrade("/socket.io/?EIO=4&transport=websocket&sid=nope");
        assertThat(unknown.status().code()).isEqualTo(400);
        assertThat(unknown.headers().get("Connection")).isEqualToIgnoringCase("close");
        assertThat(body(unknown)).isEqualTo("{\"code\":1,\"message\":\"Session ID unknown\"}");
        channel.runPendingTasks();
        assertThat(channel.isOpen()).as("closed after the answer").isFalse();
    }

    /** An Upgrade header without Connection: upgrade is no upgrade (Node's HTTP server serves it as a request). */
    @Test
    void aRefusedRequestThatOnlyNamesAnUpgradeKeepsItsConnection() {
        DefaultFullHttpRequest poll = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET,
                "/socket.io/?EIO=4&transport=polling&sid=nope");
        poll.headers().set("Upgrade", "websocket");
        channel.writeInbound(poll);
        FullHttpResponse unknown = channel.readOutbound();
        assertThat(unknown.status().code()).isEqualTo(400);
        assertThat(unknown.headers().get("Connection")).isEqualToIgnoringCase("keep-alive");
        body(unknown);
        channel.runPendingTasks();
        assertThat(channel.isOpen()).isTrue();
    }

    private FullHttpResponse upgrade(String uri) {
        DefaultFullHttpRequest upgrade = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
        upgrade.headers().set("Host", "localhost").set("Upgrade", "websocket").set("Connection", "Upgrade")
                .set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==").set("Sec-WebSocket-Version", "13");
        channel.writeInbound(upgrade);
        return channel.readOutbound();
    }

    @Test
    void malformedRequestsGetEngineIosErrors() {
        assertThat(body(get("/socket.io/?EIO=4&transport=smoke"))).isEqualTo("{\"code\":0,\"message\":\"Transport unknown\"}");
        assertThat(body(get("/socket.io/?EIO=4&transport=polling&sid=nope"))).isEqualTo("{\"code\":1,\"message\":\"Session ID unknown\"}");
        assertThat(body(get("/socket.io/?EIO=3&transport=polling"))).isEqualTo("{\"code\":5,\"message\":\"Unsupported protocol version\"}");
        assertThat(body(get("/socket.io/?EIO=4&transport=websocket"))).isEqualTo("{\"code\":3,\"message\":\"Bad request\"}");
        assertThat(body(get("/socket.io/?EIO=4&transport=polling&x=%zz"))).isEqualTo("{\"code\":3,\"message\":\"Bad request\"}");
        assertThat(refusals).containsExactly("bad_request", "bad_request", "bad_request");
        assertThat(sessions.size()).isZero();
    }

    @Test
    void aPollAndAPostReachTheSessionByItsId() {
        get("/socket.io/?EIO=4&transport=polling").release();
        EngineSession session = sessions.all().iterator().next();
        String sid = session.id().toString();
        session.send(java.util.List.of(EnginePacket.message("x")));
        assertThat(body(get("/socket.io/?EIO=4&transport=polling&sid=" + sid))).isEqualTo("4x");

        DefaultFullHttpRequest post = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST,
                "/socket.io/?EIO=4&transport=polling&sid=" + sid);
        post.content().writeCharSequence("1", StandardCharsets.UTF_8);
        channel.writeInbound(post);
        assertThat(body(channel.readOutbound())).isEqualTo("ok");
        assertThat(session.isOpen()).as("closed by the close packet posted").isFalse();
        assertThat(sessions.all()).isEmpty();
    }

    @Test
    void pipelinedPostsToASessionOfAnotherLoopStopBeingReadWhileTheirBodiesWaitThere() throws Exception {
        io.netty.channel.DefaultEventLoop sessionLoop = new io.netty.channel.DefaultEventLoop();
        try {
            EngineSession session = sessionLoop.submit(() -> {
                EngineSession opened = sessions.create(com.corundumstudio.socketio.protocol.EngineIOVersion.V4, sessionLoop,
                        java.net.InetAddress.getLoopbackAddress());
                opened.open(new PollingTransport(opened, false));
                opened.setListener(new EngineSession.Listener() { });
                return opened;
            }).get(5, java.util.concurrent.TimeUnit.SECONDS);
            java.util.concurrent.CountDownLatch busy = new java.util.concurrent.CountDownLatch(1);
            sessionLoop.execute(() -> {
                try {
                    busy.await(10, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            String large = "4" + "x".repeat(options.maxPayload() * 7 / 10);

            for (int i = 0; i < 3; i++) {
                assertThat(channel.config().isAutoRead()).as("before POST %d", i).isTrue();
                DefaultFullHttpRequest post = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST,
                        "/socket.io/?EIO=4&transport=polling&sid=" + session.id());
                post.content().writeCharSequence(large, StandardCharsets.UTF_8);
                channel.writeInbound(post);
            }
            assertThat(channel.config().isAutoRead()).as("three bodies of 70 % of the largest waiting").isFalse();

            busy.countDown();
            sessionLoop.submit(() -> { }).get(5, java.util.concurrent.TimeUnit.SECONDS);
            channel.runPendingTasks();
            assertThat(channel.config().isAutoRead()).isTrue();
            for (int i = 0; i < 3; i++) {
                assertThat(body(channel.readOutbound())).isEqualTo("ok");
            }
        } finally {
            sessionLoop.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).await(5, java.util.concurrent.TimeUnit.SECONDS);
        }
    }
}
