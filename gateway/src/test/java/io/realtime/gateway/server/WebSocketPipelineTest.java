package io.realtime.gateway.server;

import com.corundumstudio.socketio.Configuration;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.realtime.gateway.http.HeadAwareHttpCodec;
import io.realtime.gateway.http.UndecodablePathHandler;
import io.realtime.gateway.limits.UndecodableRequestHandler;
import io.realtime.gateway.testing.RawWebSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A real server's connection, once upgraded to a WebSocket, keeps none of the handlers of HTTP requests. */
class WebSocketPipelineTest {

    private GatewayServer server;

    @AfterEach
    void stop() {
        server.stop();
    }

    /** One of the node's other HTTP handlers: it shows which connection is the WebSocket's. */
    @Sharable
    private static final class ConnectionProbe extends ChannelInboundHandlerAdapter {
        final AtomicReference<Channel> channel = new AtomicReference<>();

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            channel.set(ctx.channel());
        }
    }

    @Test
    void anUpgradedConnectionHasNoHttpHandlerLeft() throws Exception {
        Configuration configuration = new Configuration();
        configuration.setHostname("127.0.0.1");
        configuration.setPort(0);
        server = new GatewayServer(configuration, GatewayServerOptions.defaults());
        ConnectionProbe probe = new ConnectionProbe();
        server.addHttpHandler("probe", probe);
        server.startAsync().syncUninterruptibly();

        try (RawWebSocket ws = RawWebSocket.connect(URI.create("ws://127.0.0.1:" + server.localAddress().getPort()
                + "/socket.io/?EIO=4&transport=websocket"))) {
            assertThat(ws.nextText()).startsWith("0{\"sid\":");
            Channel channel = probe.channel.get();
            // The HTTP-only handlers go once the 101 is out; the probe is one of them.
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(channel.pipeline().names()).doesNotContain("probe"));
            assertThat(channel.pipeline().names()).doesNotContain(UndecodablePathHandler.NAME, UndecodableRequestHandler.NAME,
                    NotFoundHandler.NAME);
            // The HTTP codec goes at the handshake, with what it kept of the requests.
            assertThat(channel.pipeline().get(HeadAwareHttpCodec.Encoder.class)).isNull();
            assertThat(channel.pipeline().get(io.netty.handler.codec.http.HttpRequestDecoder.class)).isNull();
        }
    }
}
