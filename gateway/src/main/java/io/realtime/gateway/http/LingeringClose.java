package io.realtime.gateway.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * Closes a connection after an answer sent before its request was read whole (a body too large): once the answer is
 * out the output is shut, what the client still sends is read and dropped, and the connection closes when the client
 * closes its side, or after {@link #LINGER_MILLIS} at most. Closed at once with the client's bytes still arriving, the
 * kernel answers them with a reset, which may destroy the answer in the client's buffers before it reads it: a
 * browser then shows a network error instead of the 413.
 */
public final class LingeringClose extends ChannelInboundHandlerAdapter {

    /** How long a client may go on sending after the answer: a body a client sends this long is not worth more. */
    static final long LINGER_MILLIS = 2_000;

    /** Added to the write of the answer ({@link HttpReply#refuseUnread}). */
    static final ChannelFutureListener AFTER_ANSWER = written -> linger(written.channel(), written.isSuccess());

    private LingeringClose() {
    }

    private static void linger(Channel channel, boolean answered) {
        if (!answered || !channel.isActive() || !(channel instanceof DuplexChannel duplex)) {
            channel.close();
            return;
        }
        // First in the pipeline: nothing behind it (the request decoder, a session's read hand-over) sees another byte.
        channel.pipeline().addFirst(new LingeringClose());
        channel.config().setAutoRead(true);
        ScheduledFuture<?> deadline = channel.eventLoop().schedule((Runnable) channel::close, LINGER_MILLIS,
                TimeUnit.MILLISECONDS);
        channel.closeFuture().addListener(closed -> deadline.cancel(false));
        // Over TLS the client hears the end of the stream first (close_notify), then the socket's.
        SslHandler tls = channel.pipeline().get(SslHandler.class);
        ChannelFuture ended = tls == null ? channel.newSucceededFuture() : tls.closeOutbound();
        ended.addListener(notified -> duplex.shutdownOutput().addListener(shut -> {
            if (!shut.isSuccess()) {
                channel.close();
            }
        }));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // Nothing behind it reads.
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            // The client closed its side (with half-closure allowed; otherwise Netty closes by itself).
            ctx.close();
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }
}
