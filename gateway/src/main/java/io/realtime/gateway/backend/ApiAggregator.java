package io.realtime.gateway.backend;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.realtime.gateway.http.HttpReply;
import io.realtime.gateway.metrics.ApiMetrics;

/**
 * The internal port's aggregator: its refusals (a body too large, an {@code Expect} other than
 * {@code 100-continue}) carry a JSON error like every other API answer, whether or not the client waits for
 * {@code 100 Continue}.
 */
final class ApiAggregator extends HttpObjectAggregator {

    static final String NAME = "aggregator";

    private final ApiMetrics metrics;

    /** @param metrics where its refusals are counted, as the API handler counts its answers */
    ApiAggregator(int maxContentLength, ApiMetrics metrics) {
        // Closing after a refused expectation: the body, if the client sends it anyway, is not read.
        super(maxContentLength, true);
        this.metrics = metrics;
    }

    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        Object response = super.newContinueResponse(start, maxContentLength, pipeline);
        if (response instanceof HttpResponse refusal && ignoreContentAfterContinueResponse(refusal)) {
            ReferenceCountUtil.release(refusal);
            if (HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE.equals(refusal.status())) {
                // Declining Netty's bare 413 makes the aggregator call handleOversizedMessage: the JSON one below.
                return null;
            }
            // Answered at once: no time of its own to record.
            metrics.record(BackendApiHandler.routeName(start), refusal.status().code(), 0);
            return json(new ApiError(refusal.status(), "expectation_failed", "only 'Expect: 100-continue' is supported"));
        }
        return response;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        metrics.record(BackendApiHandler.routeName(oversized), HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE.code(), 0);
        HttpReply.refuseUnread(ctx.channel(), new DefaultHttpHeaders(), HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                "application/json", new ApiError(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "payload_too_large",
                        "the body is too large").json());
    }

    private static FullHttpResponse json(ApiError error) {
        byte[] body = error.json();
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, error.status(), Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        return response;
    }
}
