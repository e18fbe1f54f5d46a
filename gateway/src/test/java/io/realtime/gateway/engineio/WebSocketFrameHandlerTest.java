package io.realtime.gateway.engineio;

import com.corundumstudio.socketio.protocol.EngineIOVersion;
import io.netty.channel.ChannelFuture;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** One Close frame per WebSocket, whoever writes it: the server, or the echo of the client's; fragmented messages. */
class WebSocketFrameHandlerTest {

    private final SessionFixture fixture = new SessionFixture();

    @AfterEach
    void close() {
        fixture.close();
    }

    private EmbeddedChannel channel() {
        EngineSession session = fixture.registry.create(EngineIOVersion.V4, fixture.loop.eventLoop(), InetAddress.getLoopbackAddress());
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.pipeline().addLast(new WebSocketFrameHandler(new WebSocketTransport(session, channel), 1_000_000));
        return channel;
    }

    @Test
    void aSecondCloseFrameIsDroppedButReportedWrittenAndOtherFramesPass() {
        EmbeddedChannel channel = channel();
        CloseWebSocketFrame ours = new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE);
        CloseWebSocketFrame echo = new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE);

        channel.writeAndFlush(ours);
        ChannelFuture second = channel.writeAndFlush(echo);
        channel.writeAndFlush(new TextWebSocketFrame("4late"));

        assertThat(second.isSuccess()).isTrue();
        assertThat(echo.refCnt()).isZero();
        assertThat((Object) channel.readOutbound()).isSameAs(ours);
        TextWebSocketFrame text = channel.readOutbound();
        assertThat(text.text()).isEqualTo("4late");
        assertThat((Object) channel.readOutbound()).isNull();
        ours.release();
        text.release();
        channel.finishAndReleaseAll();
    }

    @Test
    void theClientsCloseIsEchoedOnceAndClosesTheChannelEvenAfterOurs() {
        EmbeddedChannel echoed = channel();
        echoed.writeInbound(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE));
        CloseWebSocketFrame echo = echoed.readOutbound();
        assertThat(echo.statusCode()).isEqualTo(1000);
        echo.release();
        assertThat(echoed.isOpen()).isFalse();

        EmbeddedChannel closedFirst = channel();
        CloseWebSocketFrame ours = new CloseWebSocketFrame(WebSocketCloseStatus.ENDPOINT_UNAVAILABLE);
        closedFirst.writeAndFlush(ours);
        CloseWebSocketFrame theirs = new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE);
        closedFirst.writeInbound(theirs);
        assertThat((Object) closedFirst.readOutbound()).isSameAs(ours);
        assertThat((Object) closedFirst.readOutbound()).isNull();
        assertThat(theirs.refCnt()).isZero();
        assertThat(closedFirst.isOpen()).isFalse();
        ours.release();
    }

    /** A WebSocket session on an embedded channel, its OPEN packet sent. */
    private EmbeddedChannel openWebSocket() {
        EmbeddedChannel channel = fixture.channel();
        fixture.webSocket(channel);
        fixture.loop.runPendingTasks();
        return channel;
    }

    @Test
    void aMessageSentInFragmentsArrivesWholeAndOnlyThenIsAnAggregatorPlaced() {
        EmbeddedChannel channel = openWebSocket();
        assertThat(channel.pipeline().get(WebSocketFrameAggregator.class)).isNull();

        channel.writeInbound(new TextWebSocketFrame("4whole"));
        channel.writeInbound(new TextWebSocketFrame(false, 0, "4in "));
        assertThat(channel.pipeline().get(WebSocketFrameAggregator.class)).isNotNull();
        channel.writeInbound(new ContinuationWebSocketFrame(false, 0, "three "));
        // A control frame between the fragments is answered at once, as RFC 6455 §5.4 allows it.
        channel.writeInbound(new PingWebSocketFrame(Unpooled.copiedBuffer("p", StandardCharsets.UTF_8)));
        channel.writeInbound(new ContinuationWebSocketFrame(true, 0, "parts"));
        channel.writeInbound(new BinaryWebSocketFrame(false, 0, Unpooled.wrappedBuffer(new byte[] {1, 2})));
        channel.writeInbound(new ContinuationWebSocketFrame(true, 0, Unpooled.wrappedBuffer(new byte[] {3})));
        channel.writeInbound(new TextWebSocketFrame("4after"));
        fixture.loop.runPendingTasks();

        assertThat(fixture.messages).containsExactly("whole", "in three parts", "after");
        assertThat(fixture.binaries).containsExactly("010203");
        List<String> pongs = new ArrayList<>();
        for (Object out = channel.readOutbound(); out != null; out = channel.readOutbound()) {
            if (out instanceof PongWebSocketFrame pong) {
                pongs.add(pong.content().toString(StandardCharsets.UTF_8));
            }
            ReferenceCountUtil.release(out);
        }
        assertThat(pongs).containsExactly("p");
        channel.finishAndReleaseAll();
    }

    @Test
    void fragmentsAddingUpToMoreThanTheLargestMessageCloseTheConnection() {
        EmbeddedChannel channel = openWebSocket();
        String half = "x".repeat(SessionFixture.MAX_PAYLOAD / 2 + 1);

        channel.writeInbound(new TextWebSocketFrame(false, 0, "4" + half));
        channel.writeInbound(new ContinuationWebSocketFrame(true, 0, half));
        fixture.loop.runPendingTasks();

        assertThat(fixture.messages).isEmpty();
        assertThat(channel.isOpen()).isFalse();
        channel.finishAndReleaseAll();
    }

    @Test
    void aConnectionThatFailsTheProtocolEndsItsSessionWithATransportErrorAndAClientsCloseWithATransportClose() {
        EmbeddedChannel notUtf8 = openWebSocket();
        notUtf8.writeInbound(new TextWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {'4', (byte) 0xff})));
        EmbeddedChannel tooBig = openWebSocket();
        String half = "x".repeat(SessionFixture.MAX_PAYLOAD / 2 + 1);
        tooBig.writeInbound(new TextWebSocketFrame(false, 0, "4" + half));
        tooBig.writeInbound(new ContinuationWebSocketFrame(true, 0, half));
        fixture.loop.runPendingTasks();
        // As engine.io reports ws's "error" for these, not a close.
        assertThat(fixture.closeReasons).containsExactly("transport error", "transport error");

        EmbeddedChannel closedByClient = openWebSocket();
        closedByClient.writeInbound(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE));
        fixture.loop.runPendingTasks();
        assertThat(fixture.closeReasons).containsExactly("transport error", "transport error", "transport close");
        notUtf8.finishAndReleaseAll();
        tooBig.finishAndReleaseAll();
        closedByClient.finishAndReleaseAll();
    }
    /**
     * A client whose connection is reset (SO_LINGER 0) ends its session with "transport close", as ws destroys the
     * socket on its error without an {@code error} event and engine.io hears only the close (1006). It was counted a
     * "transport error", as a protocol failure is.
     */
    @Test
    void aConnectionResetByTheClientEndsItsSessionWithATransportClose() throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        // A heartbeat longer than the test, on a real loop: only the reset can end the session.
        try (SessionFixture loopback = new SessionFixture(4L << 20, 60_000)) {
            CompletableFuture<Channel> accepted = new CompletableFuture<>();
            Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel channel) {
                            loopback.webSocket(channel, channel.eventLoop());
                            accepted.complete(channel);
                        }
                    })
                    .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            try (Socket client = new Socket()) {
                client.connect(server.localAddress());
                Channel connection = accepted.get(5, TimeUnit.SECONDS);

                client.setSoLinger(true, 0);
                client.close();

                connection.closeFuture().await(5, TimeUnit.SECONDS);
                await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(
                        connection.eventLoop().submit(() -> List.copyOf(loopback.closeReasons)).get(5, TimeUnit.SECONDS))
                        .containsExactly("transport close"));
            } finally {
                server.close().sync();
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
