package io.realtime.gateway.engineio;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;

/**
 * Aggregates HTTP requests up to {@code maxHttpBufferSize}. A larger body is refused with 413 and a JSON reason,
 * and no session is touched, whatever {@code sid} the request names: Node's engine.io (its HTTP polling transport,
 * {@code onDataRequest}) answers 413 and leaves the session open, and a {@code sid} in a request is anyone's to
 * write, so closing its session let any request drop any session (a WebSocket one included). The connection is
 * closed after every refusal, the answer to a request with {@code Expect: 100-continue} included.
 */
public final class EngineHttpAggregator extends HttpObjectAggregator {

    private final CorsPolicy cors;

    public EngineHttpAggregator(int maxContentLength, SessionRegistry sessions) {
        // closeOnExpectationFailed: a refused Expect (417) is answered before the body, as the 413 below, and
        // would leave the request clock's deadline armed the same way.
        super(maxContentLength, true);
        this.cors = new CorsPolicy(sessions.options().corsOrigins());
    }

    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        Object response = super.newContinueResponse(start, maxContentLength, pipeline);
        if (response instanceof HttpResponse refusal && ignoreContentAfterContinueResponse(refusal)) {
            if (HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE.equals(refusal.status())) {
                // Declining Netty's bare 413 makes the aggregator call handleOversizedMessage, so that a client
                // waiting for "100 Continue" gets the same answer (CORS, JSON) as any other.
                ReferenceCountUtil.release(refusal);
                return null;
            }
            refusal.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        return response;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        HttpHeaders headers = new DefaultHttpHeaders();
        if (oversized instanceof HttpRequest request) {
            // A browser shows a cross-origin answer without them as a network error, not as the 413 it is.
            cors.apply(request, headers);
        }
        // Closed even when the client asked for keep-alive, unlike Netty's own aggregator: the rest of the body is
        // skipped, so the request clock behind (RequestEndHandler) never sees this request end and its deadline
        // stays armed, cutting a next request that has not arrived whole by then (a reconnecting client's POST)
        // or the idle connection, counted as a slow request. Nor is the rest of a large body worth reading: it is
        // dropped until the client stops sending, so that the client reads this answer rather than a reset.
        new HttpExchange(ctx.channel(), false, headers).refuseUnread(EngineIoError.PAYLOAD_TOO_LARGE);
    }
}
