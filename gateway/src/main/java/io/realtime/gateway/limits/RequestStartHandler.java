package io.realtime.gateway.limits;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/** In front of the HTTP decoder: a connection's opening and each request's first bytes start its deadline. */
public final class RequestStartHandler extends ChannelInboundHandlerAdapter {

    public static final String NAME = "requestStart";

    private final RequestClock clock;

    RequestStartHandler(RequestClock clock) {
        this.clock = clock;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            clock.opened(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        clock.opened(ctx);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf bytes && bytes.isReadable()) {
            clock.bytesArrived();
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        clock.stop();
        ctx.fireChannelInactive();
    }
}
