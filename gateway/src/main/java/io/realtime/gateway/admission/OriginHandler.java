package io.realtime.gateway.admission;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.realtime.gateway.engineio.CorsPolicy;
import io.realtime.gateway.engineio.EngineIoError;
import io.realtime.gateway.engineio.EngineRequest;
import io.realtime.gateway.stats.RefusalReason;
import io.realtime.gateway.stats.TrafficObserver;

/**
 * Refuses Engine.IO requests from a browser on a site {@code CORS_ORIGINS} does not allow, WebSocket handshakes and
 * upgrades included: browsers apply CORS to HTTP only, so without this any web page could open a WebSocket with
 * the user's cookies (cross-site WebSocket hijacking). socket.io does not check it; we do once origins are listed.
 * A request without {@code Origin} (not a browser) passes, and so does a same-origin one (its origin names the
 * request's {@code Host}: a page served by the node or through the same balancer host) and a preflight, which the
 * browser enforces itself from the missing CORS headers.
 */
@Sharable
public final class OriginHandler extends ChannelInboundHandlerAdapter {

    public static final String NAME = "origin";

    private final CorsPolicy cors;
    private final TrafficObserver observer;

    public OriginHandler(CorsPolicy cors, TrafficObserver observer) {
        this.cors = cors;
        this.observer = observer;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof EngineRequest request && !request.isPreflight() && !allowed(request)) {
            try {
                observer.refused(RefusalReason.ORIGIN);
                request.respondError(EngineIoError.ORIGIN_NOT_ALLOWED);
            } finally {
                request.release();
            }
            return;
        }
        ctx.fireChannelRead(msg);
    }

    private boolean allowed(EngineRequest request) {
        String origin = request.http().headers().get(HttpHeaderNames.ORIGIN);
        return cors.allows(origin) || isSameOrigin(origin, request.http().headers().get(HttpHeaderNames.HOST));
    }

    static boolean isSameOrigin(String origin, String host) {
        if (host == null) {
            return false;
        }
        int scheme = origin.indexOf("://");
        return scheme > 0 && origin.substring(scheme + 3).equalsIgnoreCase(host);
    }
}
