package io.realtime.gateway.engineio;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;

/**
 * Turns the HTTP requests to the Engine.IO path into {@link EngineRequest}s, so that the query is read once for
 * every handler behind; other requests pass through untouched.
 */
@Sharable
public final class EngineRequestDecoder extends ChannelInboundHandlerAdapter {

    public static final String NAME = "engineRequests";

    private static final Logger log = LoggerFactory.getLogger(EngineRequestDecoder.class);

    private final EngineOptions options;
    private final CorsPolicy cors;

    public EngineRequestDecoder(EngineOptions options) {
        this.options = options;
        this.cors = new CorsPolicy(options.corsOrigins());
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
        // Decodes: UndecodablePathHandler, ahead in the pipeline, answered every path that does not.
        String path = query.path();
        if (!owns(path)) {
            ctx.fireChannelRead(msg);
            return;
        }
        HttpExchange exchange = HttpExchange.of(ctx.channel(), request, cors);
        Map<String, List<String>> params;
        try {
            params = query.parameters();
        } catch (RuntimeException e) {
            // The path and the exception's kind only: the query, and the decoder's message quoting it, may carry a token
            // (socket.io-client 2.x sends its auth there).
            log.debug("engine.io request {} {} has an unreadable query ({})", request.method(), path, e.getClass().getSimpleName());
            request.release();
            exchange.respondErrorAndClose(EngineIoError.BAD_REQUEST);
            return;
        }
        ctx.fireChannelRead(new EngineRequest(request, params, exchange, remoteAddress(ctx), options));
    }

    private static InetAddress remoteAddress(ChannelHandlerContext ctx) {
        return ClientAddress.of(ctx.channel()).getAddress();
    }
}
