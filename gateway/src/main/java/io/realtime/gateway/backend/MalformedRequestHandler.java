package io.realtime.gateway.backend;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import io.realtime.gateway.http.HttpReply;
import io.realtime.gateway.stats.HttpClose;
import io.realtime.gateway.stats.HttpCloseObserver;

/**
 * Right behind the internal port's HTTP decoder: a request it could not decode (a header block or request line over
 * its limits, a malformed line) is answered 431, 414 or 400 in the API's JSON error format, and the connection
 * closed once the client stops sending ({@code http.LingeringClose}). Passed on, such a request (headers cut off,
 * no body, only a failure flag) got a misleading 401 or 400 with keep-alive, and the decoder, which has given up on
 * the connection, left the next request hanging. Each answer is reported ({@link HttpClose}: headers_too_large,
 * uri_too_long, malformed), once per connection. One instance serves every connection of the port.
 */
@Sharable
final class MalformedRequestHandler extends ChannelInboundHandlerAdapter {

    static final String NAME = "malformedRequest";

    private final HttpCloseObserver reporter;

    /** @param reporter told of each request answered here */
    MalformedRequestHandler(HttpCloseObserver reporter) {
        this.reporter = reporter;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HttpObject http) || !http.decoderResult().isFailure()) {
            ctx.fireChannelRead(msg);
            return;
        }
        Throwable cause = http.decoderResult().cause();
        ReferenceCountUtil.release(msg);
        if (!ctx.channel().isActive() || Boolean.TRUE.equals(ctx.channel().attr(ANSWERED).get())) {
            return;
        }
        ctx.channel().attr(ANSWERED).set(true);
        ApiError error;
        if (cause instanceof TooLongHttpHeaderException) {
            reporter.closed(HttpClose.HEADERS_TOO_LARGE);
            error = new ApiError(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "headers_too_large",
                    "the request's header block is too large");
        } else if (cause instanceof TooLongHttpLineException) {
            reporter.closed(HttpClose.URI_TOO_LONG);
            error = new ApiError(HttpResponseStatus.REQUEST_URI_TOO_LONG, "uri_too_long", "the request line is too long");
        } else {
            reporter.closed(HttpClose.MALFORMED);
            error = ApiError.badRequest("the request is not valid HTTP");
        }
        // Closed after the answer, since the decoder reads nothing more of this connection; but lingering, as after a
        // body too large: the client may still be sending, and closed at once, its bytes would get a reset that can
        // destroy the answer before it is read.
        HttpReply.refuseUnread(ctx.channel(), new DefaultHttpHeaders(), error.status(), "application/json", error.json());
    }

    /** One answer per connection: a failed request may come as a message and its content, both flagged. */
    private static final io.netty.util.AttributeKey<Boolean> ANSWERED =
            io.netty.util.AttributeKey.valueOf(MalformedRequestHandler.class, "answered");
}
