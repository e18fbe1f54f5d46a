package io.realtime.gateway.server;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;
import io.realtime.gateway.http.HttpReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;

/** The end of the pipeline: a JSON 404 for any request no handler took, and quiet closing on I/O errors. */
@Sharable
final class NotFoundHandler extends ChannelInboundHandlerAdapter {

    static final String NAME = "notFound";
    static final NotFoundHandler INSTANCE = new NotFoundHandler();

    private static final Logger log = LoggerFactory.getLogger(NotFoundHandler.class);

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof FullHttpRequest request) {
                HttpReply.to(ctx.channel(), request).sendJson(HttpResponseStatus.NOT_FOUND, "{\"code\":404,\"message\":\"Not found\"}");
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException || cause instanceof io.netty.handler.codec.DecoderException) {
            // The peer's fault or the network's (reset connections, plain text on the TLS port): not worth a warning.
            log.debug("connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        } else {
            log.warn("closing connection {} after an error", ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }
}
