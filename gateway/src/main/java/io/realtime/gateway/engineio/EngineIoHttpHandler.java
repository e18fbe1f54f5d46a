package io.realtime.gateway.engineio;

import com.corundumstudio.socketio.AuthorizationListener;
import com.corundumstudio.socketio.HandshakeData;
import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.protocol.EngineIOVersion;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.realtime.gateway.stats.RefusalReason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;

/**
 * The HTTP side of Engine.IO: the handshake, long-polling GET and POST, and the WebSocket upgrade request, with
 * the answers and error codes of Node's engine.io. Requests outside the Engine.IO path go to the next handler.
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
    private final int maxSessions;
    private final int maxPerAddress;
    private final int handshakesPerSecondPerAddress;

    public EngineIoHttpHandler(EngineOptions options, SessionRegistry sessions, AuthorizationListener authorization,
                               SessionOpener opener, boolean secure, int maxSessions) {
        this(options, sessions, authorization, opener, secure, maxSessions, 0, 0);
    }

    /**
     * @param maxPerAddress                 open sessions one client address may hold ({@code 0}: no limit)
     * @param handshakesPerSecondPerAddress handshakes one address may make per second ({@code 0}: no limit)
     */
    public EngineIoHttpHandler(EngineOptions options, SessionRegistry sessions, AuthorizationListener authorization,
                               SessionOpener opener, boolean secure, int maxSessions, int maxPerAddress,
                               int handshakesPerSecondPerAddress) {
        this.maxSessions = maxSessions;
        this.maxPerAddress = maxPerAddress;
        this.handshakesPerSecondPerAddress = handshakesPerSecondPerAddress;
        this.options = options;
        this.cors = new CorsPolicy(options.corsOrigins());
        this.sessions = sessions;
        this.authorization = authorization;
        this.opener = opener;
        this.secure = secure;
    }

    /** Whether a request path belongs to Engine.IO ({@code /socket.io/} or {@code /socket.io}). */
    public boolean owns(String path) {
        return path.equals(options.path()) || path.equals(options.path().substring(0, options.path().length() - 1));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        QueryStringDecoder query = new QueryStringDecoder(request.uri());
        if (!owns(query.path())) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            handle(ctx, request, query.parameters());
        } catch (RuntimeException e) {
            log.error("engine.io request {} {} failed", request.method(), request.uri(), e);
            HttpExchange.of(ctx.channel(), request, cors).respondErrorAndClose(EngineIoError.BAD_REQUEST);
        } finally {
            request.release();
        }
    }

    private void handle(ChannelHandlerContext ctx, FullHttpRequest request, Map<String, List<String>> params) {
        HttpExchange exchange = HttpExchange.of(ctx.channel(), request, cors);
        if (HttpMethod.OPTIONS.equals(request.method())) {
            answerPreflight(exchange, request);
            return;
        }
        String transport = single(params, "transport");
        if (transport == null || !options.allows(transport)) {
            sessions.observer().refused(RefusalReason.BAD_REQUEST);
            exchange.respondError(EngineIoError.UNKNOWN_TRANSPORT);
            return;
        }
        boolean websocket = EngineOptions.WEBSOCKET.equals(transport);
        String sid = single(params, "sid");
        if (sid == null) {
            EngineIoError refusal = handshake(ctx, request, params, exchange, websocket);
            if (refusal != null) {
                sessions.observer().refused(switch (refusal) {
                    case SERVER_FULL -> RefusalReason.LIMIT;
                    case DRAINING -> RefusalReason.DRAINING;
                    case TOO_MANY_FROM_ADDRESS -> RefusalReason.ADDRESS_LIMIT;
                    case FORBIDDEN -> RefusalReason.AUTH;
                    default -> RefusalReason.BAD_REQUEST;
                });
                exchange.respondError(refusal);
            }
            return;
        }
        EngineSession session = sessions.get(sid);
        if (session == null) {
            exchange.respondError(EngineIoError.UNKNOWN_SID);
        } else if (websocket) {
            if (!isWebSocketUpgrade(request)) {
                exchange.respondErrorAndClose(EngineIoError.BAD_REQUEST);
            } else {
                upgradeToWebSocket(ctx, request, session, false);
            }
        } else if (HttpMethod.GET.equals(request.method())) {
            session.onPoll(exchange);
        } else if (HttpMethod.POST.equals(request.method())) {
            onPost(request, session, exchange);
        } else {
            exchange.respondError(EngineIoError.BAD_REQUEST);
        }
    }

    private void onPost(FullHttpRequest request, EngineSession session, HttpExchange exchange) {
        sessions.observer().bytesReceived(request.content().readableBytes());
        List<EnginePacket> packets;
        try {
            packets = PollingPayload.decode(ByteBufUtil.getBytes(request.content()), session.version());
        } catch (EngineProtocolException e) {
            session.onBadPayload(exchange, e.getMessage());
            return;
        }
        session.onPost(exchange, packets);
    }

    /** Opens a session; returns the error to answer instead when the handshake is refused. */
    private EngineIoError handshake(ChannelHandlerContext ctx, FullHttpRequest request, Map<String, List<String>> params,
                                    HttpExchange exchange, boolean websocket) {
        if (!HttpMethod.GET.equals(request.method())) {
            return EngineIoError.BAD_HANDSHAKE_METHOD;
        }
        EngineIOVersion version = protocolVersion(single(params, "EIO"));
        if (version == null) {
            return EngineIoError.UNSUPPORTED_PROTOCOL_VERSION;
        }
        if (websocket && !isWebSocketUpgrade(request)) {
            return EngineIoError.BAD_REQUEST;
        }
        if (!sessions.isAccepting()) {
            return EngineIoError.DRAINING;
        }
        if (maxSessions > 0 && sessions.size() >= maxSessions) {
            return EngineIoError.SERVER_FULL;
        }
        java.net.InetAddress address = ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress();
        if (maxPerAddress > 0 && sessions.countFrom(address) >= maxPerAddress
                || handshakesPerSecondPerAddress > 0 && !sessions.allowHandshake(address, handshakesPerSecondPerAddress)) {
            return EngineIoError.TOO_MANY_FROM_ADDRESS;
        }
        HandshakeData handshake = handshakeData(ctx.channel(), request, params);
        if (!isAuthorized(handshake)) {
            return EngineIoError.FORBIDDEN;
        }
        boolean base64Only = "1".equals(single(params, "b64")) || "true".equals(single(params, "b64"));
        EngineSession session = sessions.create(version, websocket ? Transport.WEBSOCKET : Transport.POLLING,
                ctx.channel().eventLoop(), base64Only, address);
        session.start();
        opener.onOpen(session, handshake);
        if (websocket) {
            upgradeToWebSocket(ctx, request, session, true);
        } else {
            session.onPoll(exchange);
        }
        return null;
    }

    private EngineIOVersion protocolVersion(String eio) {
        if ("4".equals(eio)) {
            return EngineIOVersion.V4;
        }
        if ("3".equals(eio) && options.allowEIO3()) {
            return EngineIOVersion.V3;
        }
        return null;
    }

    private boolean isAuthorized(HandshakeData handshake) {
        try {
            return authorization.getAuthorizationResult(handshake).isAuthorized();
        } catch (RuntimeException e) {
            log.error("handshake authorization failed", e);
            return false;
        }
    }

    private void upgradeToWebSocket(ChannelHandlerContext ctx, FullHttpRequest request, EngineSession session, boolean initial) {
        String location = (secure ? "wss://" : "ws://") + request.headers().get(HttpHeaderNames.HOST) + request.uri();
        WebSocketServerHandshaker handshaker =
                new WebSocketServerHandshakerFactory(location, null, false, options.maxPayload()).newHandshaker(request);
        Channel channel = ctx.channel();
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
                session.attachWebSocket(channel);
            } else {
                session.attachProbe(channel);
            }
        });
        // The frame decoder is in place as soon as handshake() returns: frames must find their handler from now on.
        ChannelPipeline pipeline = channel.pipeline();
        pipeline.addBefore(NAME, WEBSOCKET_AGGREGATOR, new WebSocketFrameAggregator(options.maxPayload()));
        pipeline.addBefore(NAME, CloseFrameOnce.NAME, new CloseFrameOnce());
        pipeline.replace(NAME, WEBSOCKET_HANDLER, new WebSocketFrameHandler(session));
    }

    private void answerPreflight(HttpExchange exchange, FullHttpRequest request) {
        HttpExchange preflight = new HttpExchange(exchange.channel(), exchange.keepAlive(),
                new io.netty.handler.codec.http.DefaultHttpHeaders());
        cors.applyPreflight(request, preflight.commonHeaders());
        preflight.respond(HttpResponseStatus.NO_CONTENT, null, new byte[0]);
    }

    private static HandshakeData handshakeData(Channel channel, FullHttpRequest request, Map<String, List<String>> params) {
        String origin = request.headers().get(HttpHeaderNames.ORIGIN);
        return new HandshakeData(request.headers().copy(), params, (InetSocketAddress) channel.remoteAddress(),
                (InetSocketAddress) channel.localAddress(), request.uri(), origin != null && !"null".equalsIgnoreCase(origin));
    }

    private static boolean isWebSocketUpgrade(FullHttpRequest request) {
        return HttpMethod.GET.equals(request.method())
                && request.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
    }

    private static String single(Map<String, List<String>> params, String name) {
        List<String> values = params.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
