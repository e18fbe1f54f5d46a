package io.realtime.gateway.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.realtime.gateway.engineio.EngineHttpAggregator;
import io.realtime.gateway.engineio.EngineIoHttpHandler;
import io.realtime.gateway.engineio.SessionRegistry;

/**
 * The pipeline of a Socket.IO port: HTTP decoding, aggregation bounded by {@code maxHttpBufferSize}, the Engine.IO
 * handler (handshake, long-polling, WebSocket upgrade), the node's other HTTP handlers (the demo page) and a JSON 404
 * for anything else. After a WebSocket upgrade
 * the Engine.IO handler is replaced by the frame handler of the session.
 */
public final class GatewayChannelInitializer extends ChannelInitializer<Channel> {

    public static final String TLS = "ssl";
    public static final String HTTP_DECODER = "httpDecoder";
    public static final String HTTP_AGGREGATOR = "httpAggregator";
    public static final String HTTP_ENCODER = "httpEncoder";

    private final EngineIoHttpHandler engineIo;
    private final SessionRegistry sessions;
    private final int maxPayload;
    private final java.util.Map<String, io.netty.channel.ChannelHandler> extraHandlers;
    private final io.netty.handler.ssl.SslContext tls;

    GatewayChannelInitializer(EngineIoHttpHandler engineIo, SessionRegistry sessions, int maxPayload,
                              java.util.Map<String, io.netty.channel.ChannelHandler> extraHandlers,
                              io.netty.handler.ssl.SslContext tls) {
        this.tls = tls;
        this.engineIo = engineIo;
        this.sessions = sessions;
        this.maxPayload = maxPayload;
        this.extraHandlers = java.util.Map.copyOf(extraHandlers);
    }

    @Override
    protected void initChannel(Channel channel) {
        ChannelPipeline pipeline = channel.pipeline();
        if (tls != null) {
            pipeline.addLast(TLS, tls.newHandler(channel.alloc()));
        }
        pipeline.addLast(HTTP_DECODER, new HttpRequestDecoder());
        pipeline.addLast(HTTP_AGGREGATOR, new EngineHttpAggregator(maxPayload, sessions));
        pipeline.addLast(HTTP_ENCODER, new HttpResponseEncoder());
        pipeline.addLast(EngineIoHttpHandler.NAME, engineIo);
        extraHandlers.forEach(pipeline::addLast);
        pipeline.addLast(NotFoundHandler.NAME, NotFoundHandler.INSTANCE);
    }
}
