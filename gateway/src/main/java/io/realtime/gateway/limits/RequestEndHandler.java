package io.realtime.gateway.limits;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * Behind the aggregator and the encoder: a whole request stops its deadline, the end of an answer lets the
 * connection go idle, and a {@code 101 Switching Protocols} hands the connection to the WebSocket (both handlers
 * leave the pipeline: Engine.IO's heartbeat bounds it from then on).
 */
public final class RequestEndHandler extends ChannelDuplexHandler {

    public static final String NAME = "requestEnd";

    private final RequestClock clock;

    RequestEndHandler(RequestClock clock) {
        this.clock = clock;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof FullHttpRequest) {
            clock.requestReceived();
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse response && HttpResponseStatus.SWITCHING_PROTOCOLS.equals(response.status())) {
            clock.leave(ctx.pipeline());
        } else if (msg instanceof LastHttpContent) {
            clock.responseSent();
        }
        ctx.write(msg, promise);
    }
}
