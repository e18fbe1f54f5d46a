package io.realtime.gateway.engineio;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;

import java.util.List;

/**
 * Aggregates HTTP requests up to {@code maxHttpBufferSize}. A larger body is refused with 413 and a JSON reason,
 * and the session that sent it is closed, as Node's engine.io does; other sessions are untouched.
 */
public final class EngineHttpAggregator extends HttpObjectAggregator {

    private final SessionRegistry sessions;
    private final CorsPolicy cors;

    public EngineHttpAggregator(int maxContentLength, SessionRegistry sessions) {
        super(maxContentLength);
        this.sessions = sessions;
        this.cors = new CorsPolicy(sessions.options().corsOrigins());
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        HttpHeaders headers = new DefaultHttpHeaders();
        if (oversized instanceof HttpRequest request) {
            // A browser shows a cross-origin answer without them as a network error, not as the 413 it is.
            cors.apply(request, headers);
            List<String> sid;
            try {
                sid = new QueryStringDecoder(request.uri()).parameters().get("sid");
            } catch (IllegalArgumentException unreadable) {
                sid = null;
            }
            EngineSession session = sid == null || sid.isEmpty() ? null : sessions.get(sid.get(0));
            if (session != null) {
                session.onPayloadTooLarge();
            }
        }
        // As Netty's own aggregator: a keep-alive client may go on using the connection (the rest of the body
        // is skipped); otherwise the connection ends with the answer.
        boolean keepAlive = !(oversized instanceof FullHttpMessage) && HttpUtil.isKeepAlive(oversized);
        new HttpExchange(ctx.channel(), keepAlive, headers).respondError(EngineIoError.PAYLOAD_TOO_LARGE);
    }
}
