package io.realtime.gateway.engineio;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.util.ReferenceCountUtil;

/**
 * Lets one Close frame out per WebSocket (RFC 6455 §5.5.1: a Close is answered only if none was sent). The server
 * closing a session and the client closing at the same moment would otherwise both send one, and browsers fail
 * the connection on the second ("Close received after close"). A later Close is dropped, its write reported done
 * so that whoever meant to close the channel after it still does.
 */
final class CloseFrameOnce extends ChannelOutboundHandlerAdapter {

    static final String NAME = "webSocketCloseOnce";

    private boolean sent;

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof CloseWebSocketFrame) {
            if (sent) {
                ReferenceCountUtil.release(msg);
                promise.trySuccess();
                return;
            }
            sent = true;
        }
        ctx.write(msg, promise);
    }
}
