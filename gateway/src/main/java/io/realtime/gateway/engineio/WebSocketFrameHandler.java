package io.realtime.gateway.engineio;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Hands the frames (fragmented messages put together, {@link #aggregateFromNowOn}) and the writability of one
 * WebSocket to its transport, and lets one Close frame out per WebSocket (RFC 6455 §5.5.1: a Close is answered only
 * if none was sent). The server closing a session and the client closing at the same moment would otherwise both
 * send one, and browsers fail the connection on the second ("Close received after close"). A later Close is dropped,
 * its write reported done so that whoever meant to close the channel after it still does. One handler for both (it
 * was two: a handler context and an object less per connection, 80 bytes).
 */
final class WebSocketFrameHandler extends ChannelDuplexHandler {

    private static final Logger log = LoggerFactory.getLogger(WebSocketFrameHandler.class);

    private final WebSocketTransport transport;
    /** The largest message a fragmented one may add up to. */
    private final int maxPayload;
    private boolean closeSent;
    /**
     * The connection failed the protocol (a bad frame, a message too big): its session ends "transport error". Not
     * set by the socket's own failures (a reset, a broken pipe, TLS): ws destroys the socket on those without an
     * {@code error} event and emits {@code close} (1006), which engine.io reports as "transport close".
     */
    private boolean failed;

    /** @param maxPayload the largest message, in bytes, the fragments of one may add up to */
    WebSocketFrameHandler(WebSocketTransport transport, int maxPayload) {
        this.transport = transport;
        this.maxPayload = maxPayload;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof WebSocketFrame frame)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (!frame.isFinalFragment() && (frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame)) {
            aggregateFromNowOn(ctx, frame);
            return;
        }
        try {
            onFrame(ctx, frame);
        } finally {
            frame.release();
        }
    }

    /**
     * Places Netty's aggregator in front of this handler at the first message a client sends in fragments, and gives
     * it that first fragment: it hands this handler each message whole from then on. Clients seldom fragment (the
     * socket.io clients never do), and an aggregator from the start cost every connection a handler and its context
     * (112 bytes).
     */
    private void aggregateFromNowOn(ChannelHandlerContext ctx, WebSocketFrame first) {
        WebSocketFrameAggregator aggregator = new WebSocketFrameAggregator(maxPayload);
        ctx.pipeline().addBefore(ctx.name(), EngineIoHttpHandler.WEBSOCKET_AGGREGATOR, aggregator);
        try {
            aggregator.channelRead(ctx.pipeline().context(aggregator), first);
        } catch (Exception e) {
            // As the pipeline would have: the aggregator's failure ends up here, and the connection is closed.
            exceptionCaught(ctx, e);
        }
    }

    private void onFrame(ChannelHandlerContext ctx, WebSocketFrame frame) {
        transport.session.observer().bytesReceived(frame.content().readableBytes());
        if (frame instanceof TextWebSocketFrame text) {
            if (!ByteBufUtil.isText(text.content(), StandardCharsets.UTF_8)) {
                // RFC 6455 §8.1, as ws does: a text message that is not UTF-8 fails the connection (1007).
                failed = true;
                closeWith(ctx, new CloseWebSocketFrame(WebSocketCloseStatus.INVALID_PAYLOAD_DATA));
                return;
            }
            transport.onText(text.text(), text.content().readableBytes());
        } else if (frame instanceof BinaryWebSocketFrame binary) {
            transport.onBinary(ByteBufUtil.getBytes(binary.content()));
        } else if (frame instanceof PingWebSocketFrame) {
            transport.pushHeldFrame();
            ctx.writeAndFlush(new PongWebSocketFrame(frame.content().retain()));
        } else if (frame instanceof CloseWebSocketFrame) {
            // The echo, if no Close went out yet; the channel closes either way.
            closeWith(ctx, (CloseWebSocketFrame) frame.retain());
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof CloseWebSocketFrame) {
            if (closeSent) {
                ReferenceCountUtil.release(msg);
                promise.trySuccess();
                return;
            }
            closeSent = true;
        }
        ctx.write(msg, promise);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        transport.onWritabilityChanged();
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        transport.onInactive(failed);
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("session {}: websocket error: {}", transport.session.id(), cause.toString());
        if (!isSocketFailure(cause)) {
            failed = true;
        }
        if (cause instanceof TooLongFrameException) {
            // The aggregator's: fragments adding up to more than maxPayload (1009, as ws says of a message too big).
            closeWith(ctx, new CloseWebSocketFrame(WebSocketCloseStatus.MESSAGE_TOO_BIG));
        } else {
            // A malformed or oversize frame was answered with its Close by Netty's decoder; the session ends with the channel.
            ctx.close();
        }
    }

    /**
     * Whether {@code cause} is the connection's own failure rather than the protocol's: I/O (a reset, a write to a
     * closed socket) or TLS (SslHandler's, which a decoder wraps). ws's {@code socketOnError} destroys the socket
     * without reporting an error; only its receiver's errors (the frame decoder's here) are "transport error".
     */
    static boolean isSocketFailure(Throwable cause) {
        // SSLException is an IOException.
        return cause instanceof IOException
                || (cause instanceof DecoderException && cause.getCause() instanceof SSLException);
    }

    /**
     * Sends {@code close} after what the session wrote before it, through this handler's own write (which lets one
     * Close out), then closes the connection.
     */
    private void closeWith(ChannelHandlerContext ctx, CloseWebSocketFrame close) {
        transport.pushHeldFrame();
        ChannelPromise written = ctx.newPromise();
        write(ctx, close, written);
        ctx.flush();
        written.addListener(ChannelFutureListener.CLOSE);
    }
}
