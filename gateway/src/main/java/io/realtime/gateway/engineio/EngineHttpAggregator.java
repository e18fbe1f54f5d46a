package io.realtime.gateway.engineio;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Aggregates HTTP requests up to {@code maxHttpBufferSize}. A larger body is refused with 413 and a JSON reason,
 * and the session that sent it is closed, as Node's engine.io does; other sessions are untouched.
 */
public final class EngineHttpAggregator extends HttpObjectAggregator {

    private final SessionRegistry sessions;

    public EngineHttpAggregator(int maxContentLength, SessionRegistry sessions) {
        super(maxContentLength);
        this.sessions = sessions;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        if (oversized instanceof HttpRequest request) {
            List<String> sid = new QueryStringDecoder(request.uri()).parameters().get("sid");
            EngineSession session = sid == null || sid.isEmpty() ? null : sessions.get(sid.get(0));
            if (session != null) {
                session.onPayloadTooLarge();
            }
        }
        byte[] body = EngineIoError.PAYLOAD_TOO_LARGE.json().getBytes(StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                EngineIoError.PAYLOAD_TOO_LARGE.status(), ctx.alloc().buffer(body.length).writeBytes(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        HttpUtil.setContentLength(response, body.length);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
}
