package io.realtime.gateway.limits;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import io.realtime.gateway.http.HttpReply;
import io.realtime.gateway.stats.HttpClose;
import io.realtime.gateway.stats.HttpCloseObserver;

import java.nio.charset.StandardCharsets;

/**
 * Behind the HTTP decoder: a request line longer than {@link HttpLimits#maxInitialLineLength()} is answered 414, a
 * header block larger than {@link HttpLimits#maxHeaderSize()} 431, and the connection closed (the decoder has given
 * up on it), and reported ({@link HttpClose#URI_TOO_LONG}, {@link HttpClose#HEADERS_TOO_LARGE}). Any other request
 * the decoder gave up on (a header it cannot read, such as {@code Content-Length: abc} or a name with a space; a
 * malformed chunk) is answered 400, as Node does, and the connection closed once the client stops sending
 * ({@code http.LingeringClose}), reported as {@link HttpClose#MALFORMED}: passed on, it came out of the aggregator
 * as a request flagged failed that Engine.IO served (a handshake opened a session) with keep-alive, and the
 * decoder, which reads nothing more of the connection, left the next request hanging until the request deadline.
 * One instance serves every connection of a port.
 */
@Sharable
public final class OversizedRequestHandler extends ChannelInboundHandlerAdapter {

    public static final String NAME = "oversizedRequest";

    private static final byte[] MALFORMED = "{\"code\":\"malformed\",\"message\":\"Bad Request\"}"
            .getBytes(StandardCharsets.UTF_8);

    private final HttpCloseObserver reporter;

    /** @param reporter told of each request refused (414, 431 or 400) */
    public OversizedRequestHandler(HttpCloseObserver reporter) {
        this.reporter = reporter;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpObject http && http.decoderResult().isFailure()) {
            Throwable cause = http.decoderResult().cause();
            HttpResponseStatus status = cause instanceof TooLongHttpLineException ? HttpResponseStatus.REQUEST_URI_TOO_LONG
                    : cause instanceof TooLongHttpHeaderException ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE : null;
            if (status != null) {
                ReferenceCountUtil.release(msg);
                boolean line = status == HttpResponseStatus.REQUEST_URI_TOO_LONG;
                reporter.closed(line ? HttpClose.URI_TOO_LONG : HttpClose.HEADERS_TOO_LARGE);
                String code = line ? "uri_too_long" : "headers_too_large";
                byte[] body = ("{\"code\":\"" + code + "\",\"message\":\"" + status.reasonPhrase() + "\"}")
                        .getBytes(StandardCharsets.UTF_8);
                FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
                response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                // From the tail, so that the response encoder (behind this handler) encodes it.
                ctx.channel().writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
                return;
            }
            ReferenceCountUtil.release(msg);
            // A request cut off by the client's close (the decoder's last output) has no one to answer.
            if (ctx.channel().isActive()) {
                reporter.closed(HttpClose.MALFORMED);
                HttpReply.refuseUnread(ctx.channel(), new DefaultHttpHeaders(), HttpResponseStatus.BAD_REQUEST,
                        HttpHeaderValues.APPLICATION_JSON.toString(), MALFORMED);
            }
            return;
        }
        ctx.fireChannelRead(msg);
    }
}
