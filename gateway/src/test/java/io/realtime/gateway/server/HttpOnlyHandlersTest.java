package io.realtime.gateway.server;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.realtime.gateway.admission.AdmissionHandler;
import io.realtime.gateway.admission.ForwardedHeadersHandler;
import io.realtime.gateway.admission.OriginHandler;
import io.realtime.gateway.engineio.EngineIoHttpHandler;
import io.realtime.gateway.engineio.EngineRequestDecoder;
import io.realtime.gateway.limits.UndecodableRequestHandler;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A WebSocket connection's pipeline keeps its WebSocket handlers only. */
class HttpOnlyHandlersTest {

    private static ChannelHandler stub() {
        return new ChannelInboundHandlerAdapter();
    }

    @Test
    void theHandlersOfHttpRequestsGoAndTheWebSocketOnesStay() {
        EmbeddedChannel channel = new EmbeddedChannel();
        // The pipeline as it is once Netty's handshaker has put the WebSocket codec in place of the HTTP one.
        channel.pipeline()
                .addLast("wsdecoder", new WebSocket13FrameDecoder(true, false, 1000))
                .addLast(UndecodableRequestHandler.NAME, stub())
                .addLast("wsencoder", new WebSocket13FrameEncoder(false))
                .addLast(ForwardedHeadersHandler.NAME, stub())
                .addLast(EngineRequestDecoder.NAME, stub())
                .addLast(OriginHandler.NAME, stub())
                .addLast(AdmissionHandler.NAME, stub())
                .addLast(EngineIoHttpHandler.WEBSOCKET_AGGREGATOR, new WebSocketFrameAggregator(1000))
                .addLast(EngineIoHttpHandler.WEBSOCKET_HANDLER, stub())
                .addLast("demo", stub())
                .addLast(NotFoundHandler.NAME, stub());

        new HttpOnlyHandlers(List.of("demo", "absent")).accept(channel.pipeline());

        assertThat(channel.pipeline().names()).startsWith("wsdecoder", "wsencoder", EngineIoHttpHandler.WEBSOCKET_AGGREGATOR,
                EngineIoHttpHandler.WEBSOCKET_HANDLER);
        // EmbeddedChannel's own last handler and the pipeline's tail follow.
        assertThat(channel.pipeline().names()).doesNotContain(UndecodableRequestHandler.NAME, ForwardedHeadersHandler.NAME,
                EngineRequestDecoder.NAME, OriginHandler.NAME, AdmissionHandler.NAME, "demo", NotFoundHandler.NAME);
        channel.finishAndReleaseAll();
    }
}
