package io.realtime.gateway.limits;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.realtime.gateway.http.HttpReply;
import io.realtime.gateway.stats.HttpClose;
import io.realtime.gateway.stats.HttpCloseObserver;

/**
 * Right behind a port's HTTP decoder: a request it gave up on is answered here and the connection closed once the
 * client stops sending ({@code http.LingeringClose}: closed at once, the client's unread bytes would get a reset that
 * can destroy the answer). A request line over {@link HttpLimits#maxInitialLineLength()} gets 414, a header block over
 * {@link HttpLimits#maxHeaderSize()} 431, anything else the decoder cannot read (a {@code Content-Length: abc}, a
 * header name with a space, a malformed chunk) 400, as Node answers. Passed on, such a request (headers cut off, only
 * a failure flag) was served with keep-alive (a polling handshake opened a session) while the decoder, which reads
 * nothing more of the connection, left the next request hanging until the request deadline. Each answer is reported
 * once per connection ({@link HttpClose}: uri_too_long, headers_too_large, malformed), in the port's own error format.
 * One instance serves every connection of a port.
 */
@Sharable
public final class UndecodableRequestHandler extends ChannelInboundHandlerAdapter {

    public static final String NAME = "undecodableRequest";

    /** How a port writes an error's JSON body. */
    @FunctionalInterface
    public interface ErrorBody {
        byte[] of(HttpResponseStatus status, String code, String message);
    }

    /** One answer per connection: a failed request may come as a message and its content, both flagged. */
    private static final AttributeKey<Boolean> ANSWERED = AttributeKey.valueOf(UndecodableRequestHandler.class, "answered");

    private final HttpCloseObserver reporter;
    private final ErrorBody errorBody;

    /** @param reporter told of each request answered here */
    public UndecodableRequestHandler(HttpCloseObserver reporter, ErrorBody errorBody) {
        this.reporter = reporter;
        this.errorBody = errorBody;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HttpObject http) || !http.decoderResult().isFailure()) {
            ctx.fireChannelRead(msg);
            return;
        }
        Throwable cause = http.decoderResult().cause();
        ReferenceCountUtil.release(msg);
        // A request cut off by the client's close (the decoder's last output) has no one to answer.
        if (!ctx.channel().isActive() || Boolean.TRUE.equals(ctx.channel().attr(ANSWERED).get())) {
            return;
        }
        ctx.channel().attr(ANSWERED).set(true);
        HttpClose reason = cause instanceof TooLongHttpHeaderException ? HttpClose.HEADERS_TOO_LARGE
                : cause instanceof TooLongHttpLineException ? HttpClose.URI_TOO_LONG : HttpClose.MALFORMED;
        reporter.closed(reason);
        HttpResponseStatus status = switch (reason) {
            case HEADERS_TOO_LARGE -> HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
            case URI_TOO_LONG -> HttpResponseStatus.REQUEST_URI_TOO_LONG;
            default -> HttpResponseStatus.BAD_REQUEST;
        };
        String message = switch (reason) {
            case HEADERS_TOO_LARGE -> "the request's header block is too large";
            case URI_TOO_LONG -> "the request line is too long";
            default -> "the request is not valid HTTP";
        };
        HttpReply.refuseUnread(ctx.channel(), new DefaultHttpHeaders(), status, HttpHeaderValues.APPLICATION_JSON.toString(),
                errorBody.of(status, reason.tag(), message));
    }
}
