package io.realtime.gateway.engineio;

import io.realtime.gateway.stats.DisconnectReason;
import io.realtime.gateway.stats.RefusalReason;
import com.corundumstudio.socketio.AuthorizationListener;
import com.corundumstudio.socketio.HandshakeData;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.function.Consumer;

/**
 * The HTTP side of Engine.IO: the handshake, long-polling GET and POST, and the WebSocket upgrade request, with
 * the answers and error codes of Node's engine.io. It serves the {@link EngineRequest}s of
 * {@link EngineRequestDecoder}; whether a handshake is admitted at all (drain, connection limits) was decided in
 * front of it.
 */
@Sharable
public final class EngineIoHttpHandler extends ChannelInboundHandlerAdapter {

    public static final String NAME = "engineIo";
    public static final String WEBSOCKET_AGGREGATOR = "webSocketAggregator";
    public static final String WEBSOCKET_HANDLER = "engineWebSocket";

    private static final Logger log = LoggerFactory.getLogger(EngineIoHttpHandler.class);

    private final EngineOptions options;
    private final CorsPolicy cors;
    private final SessionRegistry sessions;
    private final AuthorizationListener authorization;
    private final SessionOpener opener;
    private final boolean secure;
    /** One for every WebSocket: each frame decoder keeps its configuration (24 bytes a connection). */
    private final WebSocketDecoderConfig frameDecoding;
    /** What a connection's pipeline sheds once it carries a WebSocket (the handlers that serve HTTP requests only). */
    private final Consumer<ChannelPipeline> webSocketOnly;

    public EngineIoHttpHandler(EngineOptions options, SessionRegistry sessions, AuthorizationListener authorization,
                               SessionOpener opener, boolean secure) {
        this(options, sessions, authorization, opener, secure, pipeline -> { });
    }

    public EngineIoHttpHandler(EngineOptions options, SessionRegistry sessions, AuthorizationListener authorization,
                               SessionOpener opener, boolean secure, Consumer<ChannelPipeline> webSocketOnly) {
        this.options = options;
        this.cors = new CorsPolicy(options.corsOrigins());
        this.sessions = sessions;
        this.authorization = authorization;
        this.opener = opener;
        this.secure = secure;
        this.webSocketOnly = webSocketOnly;
        // What WebSocketServerHandshakerFactory(url, null, false, maxPayload) builds for every handshake.
        this.frameDecoding = WebSocketDecoderConfig.newBuilder().allowExtensions(false)
                .maxFramePayloadLength(options.maxPayload()).allowMaskMismatch(false).build();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof EngineRequest request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            handle(ctx, request);
        } catch (RuntimeException e) {
            // The path only: a query may carry a token (socket.io-client 2.x sends its auth there).
            log.error("engine.io request {} {} failed", request.http().method(), new QueryStringDecoder(request.http().uri()).rawPath(), e);
            request.exchange().respondErrorAndClose(EngineIoError.BAD_REQUEST);
        } finally {
            request.release();
        }
    }

    private void handle(ChannelHandlerContext ctx, EngineRequest request) {
        HttpExchange exchange = request.exchange();
        if (request.isPreflight()) {
            answerPreflight(exchange, request.http());
            return;
        }
        if (request.problem() != null) {
            sessions.observer().refused(RefusalReason.BAD_REQUEST);
            request.respondError(request.problem());
            return;
        }
        if (request.isHandshake()) {
            handshake(ctx, request);
            return;
        }
        EngineSession session = sessions.get(request.param("sid"));
        if (session == null) {
            request.respondError(EngineIoError.UNKNOWN_SID);
        } else if (request.isWebSocket()) {
            if (!request.isWebSocketUpgrade()) {
                exchange.respondErrorAndClose(EngineIoError.BAD_REQUEST);
            } else {
                upgradeToWebSocket(ctx, request.http(), new WebSocketTransport(session, ctx.channel()), false);
            }
        } else if (HttpMethod.GET.equals(request.http().method())) {
            session.onRequest(exchange, Transport::onPoll);
        } else if (HttpMethod.POST.equals(request.http().method())) {
            sessions.observer().bytesReceived(request.http().content().readableBytes());
            byte[] body = ByteBufUtil.getBytes(request.http().content());
            // Pipelined POSTs on a connection of another loop stop being read while their bodies wait, as a
            // WebSocket's messages do.
            InboundHandOver.of(ctx.channel(), options.maxPayload()).handOver(session.eventLoop(), body.length,
                    () -> session.onRequest(exchange, (transport, post) -> transport.onPost(post, body)));
        } else {
            exchange.respondError(EngineIoError.BAD_REQUEST);
        }
    }

    /** Opens a session on an admitted handshake, unless the application's authorization refuses it. */
    private void handshake(ChannelHandlerContext ctx, EngineRequest request) {
        HandshakeData handshake = handshakeData(ctx.channel(), request);
        com.corundumstudio.socketio.AuthorizationResult authorized = authorize(handshake);
        if (!authorized.isAuthorized()) {
            sessions.observer().refused(RefusalReason.AUTH);
            request.respondError(EngineIoError.FORBIDDEN);
            return;
        }
        String b64 = request.param("b64");
        EngineSession session = sessions.create(request.version(), ctx.channel().eventLoop(), request.remoteAddress());
        try {
            if (request.isWebSocket()) {
                WebSocketTransport webSocket = new WebSocketTransport(session, ctx.channel());
                session.open(webSocket);
                opener.onOpen(session, handshake, storeParams(authorized));
                upgradeToWebSocket(ctx, request.http(), webSocket, true);
            } else {
                session.open(new PollingTransport(session, "1".equals(b64) || "true".equals(b64)));
                opener.onOpen(session, handshake, storeParams(authorized));
                session.onRequest(request.exchange(), Transport::onPoll);
            }
        } catch (RuntimeException e) {
            // A session no client will ever reach must not wait for its heartbeat to end (nor count meanwhile).
            log.error("engine.io handshake failed for session {}", session.id(), e);
            request.exchange().respondErrorAndClose(EngineIoError.BAD_REQUEST);
            session.closeAtOnce(DisconnectReason.TRANSPORT_ERROR);
        }
    }

    private com.corundumstudio.socketio.AuthorizationResult authorize(HandshakeData handshake) {
        try {
            com.corundumstudio.socketio.AuthorizationResult result = authorization.getAuthorizationResult(handshake);
            return result == null ? com.corundumstudio.socketio.AuthorizationResult.FAILED_AUTHORIZATION : result;
        } catch (RuntimeException e) {
            log.error("handshake authorization failed", e);
            return com.corundumstudio.socketio.AuthorizationResult.FAILED_AUTHORIZATION;
        }
    }

    private static java.util.Map<String, Object> storeParams(com.corundumstudio.socketio.AuthorizationResult authorized) {
        java.util.Map<String, Object> params = authorized.getStoreParams();
        return params == null || params.isEmpty() ? java.util.Map.of() : java.util.Map.copyOf(params);
    }

    private void upgradeToWebSocket(ChannelHandlerContext ctx, FullHttpRequest request, WebSocketTransport webSocket,
                                    boolean initial) {
        String location = (secure ? "wss://" : "ws://") + request.headers().get(HttpHeaderNames.HOST) + request.uri();
        // Any subprotocol the client asks for (socket.io-client's `protocols`), the first it names selected, as ws
        // (engine.io's server) does: a browser fails a handshake that selects none of those it asked for.
        WebSocketServerHandshaker handshaker = new WebSocketServerHandshakerFactory(location,
                WebSocketServerHandshaker.SUB_PROTOCOL_WILDCARD, frameDecoding).newHandshaker(request);
        Channel channel = ctx.channel();
        EngineSession session = webSocket.session;
        if (handshaker == null) {
            WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(channel);
            if (initial) {
                session.close();
            }
            return;
        }
        handshaker.handshake(channel, request).addListener(done -> {
            if (!done.isSuccess()) {
                log.debug("websocket handshake failed for session {}", session.id(), done.cause());
                channel.close();
                if (initial) {
                    session.close();
                }
                return;
            }
            if (initial) {
                webSocket.onHandshakeAnswered();
            } else {
                session.attachProbe(webSocket);
            }
        });
        // The frame decoder is in place as soon as handshake() returns: frames must find their handler from now on.
        ChannelPipeline pipeline = channel.pipeline();
        pipeline.replace(NAME, WEBSOCKET_HANDLER, new WebSocketFrameHandler(webSocket, options.maxPayload()));
        // No HTTP request can come any more (the HTTP decoder is gone): an idle connection keeps no HTTP handler.
        // Here rather than when the 101 is written, which may complete inside handshake() itself.
        webSocketOnly.accept(pipeline);
    }

    private void answerPreflight(HttpExchange exchange, FullHttpRequest request) {
        HttpExchange preflight = new HttpExchange(exchange.channel(), exchange.keepAlive(), new DefaultHttpHeaders());
        cors.applyPreflight(request, preflight.commonHeaders());
        preflight.respond(HttpResponseStatus.NO_CONTENT, null, new byte[0]);
    }

    private static HandshakeData handshakeData(Channel channel, EngineRequest request) {
        String origin = request.http().headers().get(HttpHeaderNames.ORIGIN);
        return KeptHandshake.of(request.http().headers(), request.params(),
                ClientAddress.of(channel), inet(channel.localAddress()),
                request.http().uri(), origin != null && !"null".equalsIgnoreCase(origin));
    }

    private static InetSocketAddress inet(java.net.SocketAddress address) {
        // Only tests' embedded channels have other addresses.
        return address instanceof InetSocketAddress inet ? inet : new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0);
    }
}
