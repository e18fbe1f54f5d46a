package io.realtime.gateway.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.ssl.SslContext;
import io.realtime.gateway.admission.AdmissionHandler;
import io.realtime.gateway.admission.ClientAddressOptions;
import io.realtime.gateway.admission.ForwardedHeadersHandler;
import io.realtime.gateway.admission.ProxyProtocolHandler;
import io.realtime.gateway.admission.TrustedProxies;
import io.realtime.gateway.admission.OriginHandler;
import io.realtime.gateway.engineio.EngineHttpAggregator;
import io.realtime.gateway.engineio.EngineIoHttpHandler;
import io.realtime.gateway.engineio.EngineRequestDecoder;
import io.realtime.gateway.engineio.SessionRegistry;
import io.realtime.gateway.http.AcceptedConnections;
import io.realtime.gateway.http.HeadAwareHttpCodec;
import io.realtime.gateway.http.UndecodablePathHandler;
import io.realtime.gateway.limits.HttpLimits;
import io.realtime.gateway.limits.HttpTimeouts;
import io.realtime.gateway.limits.UndecodableRequestHandler;
import io.realtime.gateway.stats.HttpCloseObserver;
import io.realtime.gateway.stats.TrafficObserver;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The pipeline of a Socket.IO port: the PROXY protocol header when a balancer sends one, the request and idle
 * deadlines, HTTP decoding (a request line or header block over
 * its limit answered 414 or 431, any other request the decoder gave up on 400, each closing the connection), aggregation bounded by {@code maxHttpBufferSize}, the client address of trusted
 * proxies' forwarding headers, the Engine.IO
 * requests read once, the origin check (CORS_ORIGINS, WebSocket included), admission (drain and connection limits), the Engine.IO handler (handshake, long-polling,
 * WebSocket upgrade), the node's other HTTP handlers (the demo page) and a JSON 404 for anything else. After a
 * WebSocket upgrade the Engine.IO handler is replaced by the frame handler of the session, and once the 101 is
 * out the handlers that serve HTTP requests only are removed ({@link HttpOnlyHandlers}).
 *
 * <p>Each connection gets the water marks of the outbound limit: past the high one a client counts as slow
 * (volatile packets skip it) and its backlog is watched.
 */
public final class GatewayChannelInitializer extends ChannelInitializer<Channel> {

    private static final UndecodablePathHandler UNDECODABLE_PATH = UndecodablePathHandler.forSocketIoPort();

    public static final String TLS = "ssl";
    public static final String HTTP_DECODER = "httpDecoder";
    public static final String HTTP_AGGREGATOR = "httpAggregator";
    public static final String HTTP_ENCODER = "httpEncoder";

    private final EngineRequestDecoder engineRequests;
    private final OriginHandler origin;
    private final AdmissionHandler admission;
    private final EngineIoHttpHandler engineIo;
    private final SessionRegistry sessions;
    private final int maxPayload;
    private final WriteBufferWaterMark waterMark;
    private final Map<String, ChannelHandler> extraHandlers;
    private final SslContext tls;
    private final HttpLimits httpLimits;
    private final HttpTimeouts timeouts;
    private final UndecodableRequestHandler undecodable;
    /** The balancers allowed to send a PROXY header; {@code null} when {@code PROXY_PROTOCOL} is off. */
    private final TrustedProxies proxyProtocolFrom;
    private final TrafficObserver observer;
    private final ForwardedHeadersHandler forwardedHeaders;
    private final AcceptedConnections connections;

    /**
     * @param connections where each accepted connection is kept, for the server's stop to close
     * @param httpCloses  told of each connection closed by the request or idle deadline or answered 414, 431 or 400
     * @param observer    told of each connection refused before its first byte (a peer off {@code PROXY_PROTOCOL_FROM})
     */
    GatewayChannelInitializer(AcceptedConnections connections, EngineRequestDecoder engineRequests, OriginHandler origin,
                              AdmissionHandler admission, EngineIoHttpHandler engineIo,
                              SessionRegistry sessions, int maxPayload, WriteBufferWaterMark waterMark,
                              Map<String, ChannelHandler> extraHandlers, SslContext tls, HttpLimits httpLimits,
                              ClientAddressOptions clientAddresses, HttpCloseObserver httpCloses, TrafficObserver observer) {
        this.connections = connections;
        this.engineRequests = engineRequests;
        this.origin = origin;
        this.admission = admission;
        this.engineIo = engineIo;
        this.sessions = sessions;
        this.maxPayload = maxPayload;
        this.waterMark = waterMark;
        this.extraHandlers = Map.copyOf(extraHandlers);
        this.tls = tls;
        this.httpLimits = httpLimits;
        this.timeouts = new HttpTimeouts(httpLimits, httpCloses);
        // The port's refusals' format ({"code", "message"}), as admission's and the origin check's.
        this.undecodable = new UndecodableRequestHandler(httpCloses, (status, code, message) ->
                ("{\"code\":\"" + code + "\",\"message\":\"" + message + "\"}").getBytes(StandardCharsets.UTF_8));
        this.proxyProtocolFrom = clientAddresses.proxyProtocol() ? TrustedProxies.parse(clientAddresses.proxyProtocolFrom()) : null;
        this.observer = observer;
        TrustedProxies proxies = TrustedProxies.parse(clientAddresses.trustedProxies(), clientAddresses.forwardedHeader());
        this.forwardedHeaders = proxies.isEmpty() ? null : new ForwardedHeadersHandler(proxies);
    }

    @Override
    protected void initChannel(Channel channel) {
        // Before TLS: the balancer writes the header ahead of the client's bytes. Another peer is closed unread.
        if (proxyProtocolFrom != null && !ProxyProtocolHandler.addTo(channel, proxyProtocolFrom, observer)) {
            return;
        }
        connections.add(channel);
        channel.config().setWriteBufferWaterMark(waterMark);
        ChannelPipeline pipeline = channel.pipeline();
        if (tls != null) {
            pipeline.addLast(TLS, tls.newHandler(channel.alloc()));
        }
        HttpTimeouts.RequestClockPair clock = timeouts.newPair();
        clock.addStart(pipeline);
        // The encoder nearer the socket than the decoder: the WebSocket handshake puts their frame counterparts in
        // their places, and the Close frame the frame decoder writes on bad input must pass the frame encoder.
        // A pair that knows which answers are a HEAD's, and writes them without their body.
        HeadAwareHttpCodec.Encoder encoder = HeadAwareHttpCodec.encoder();
        pipeline.addLast(HTTP_ENCODER, encoder);
        pipeline.addLast(HTTP_DECODER, HeadAwareHttpCodec.decoder(new HttpDecoderConfig()
                .setMaxInitialLineLength(httpLimits.maxInitialLineLength()).setMaxHeaderSize(httpLimits.maxHeaderSize()), encoder));
        pipeline.addLast(UndecodableRequestHandler.NAME, undecodable);
        pipeline.addLast(HTTP_AGGREGATOR, new EngineHttpAggregator(maxPayload, sessions));
        clock.addEnd(pipeline);
        pipeline.addLast(UndecodablePathHandler.NAME, UNDECODABLE_PATH);
        if (forwardedHeaders != null) {
            pipeline.addLast(ForwardedHeadersHandler.NAME, forwardedHeaders);
        }
        pipeline.addLast(EngineRequestDecoder.NAME, engineRequests);
        pipeline.addLast(OriginHandler.NAME, origin);
        pipeline.addLast(AdmissionHandler.NAME, admission);
        pipeline.addLast(EngineIoHttpHandler.NAME, engineIo);
        extraHandlers.forEach(pipeline::addLast);
        pipeline.addLast(NotFoundHandler.NAME, NotFoundHandler.INSTANCE);
    }
}
