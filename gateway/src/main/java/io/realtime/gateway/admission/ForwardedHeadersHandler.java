package io.realtime.gateway.admission;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.realtime.gateway.engineio.ClientAddress;

/**
 * Names each request's client from the forwarding headers of a trusted proxy ({@code TRUSTED_PROXIES}), for the
 * handlers behind it; from any other peer the headers are ignored. Per request, not per connection: a balancer may
 * carry several clients' requests over one kept-alive connection.
 */
@Sharable
public final class ForwardedHeadersHandler extends ChannelInboundHandlerAdapter {

    public static final String NAME = "forwardedHeaders";

    private final TrustedProxies proxies;

    public ForwardedHeadersHandler(TrustedProxies proxies) {
        this.proxies = proxies;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof FullHttpRequest request) {
            ctx.channel().attr(ClientAddress.OF_REQUEST).set(
                    proxies.clientOf(ClientAddress.peer(ctx.channel()), request.headers()));
        }
        ctx.fireChannelRead(msg);
    }
}
