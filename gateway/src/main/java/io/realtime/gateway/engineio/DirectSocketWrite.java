package io.realtime.gateway.engineio;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelOutboundHandler;
import io.netty.channel.ChannelOutboundInvoker;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.unix.Socket;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;

import java.io.IOException;
import java.util.Map;

/**
 * Writes a broadcast frame straight to an epoll connection's socket, from the connection's event loop, when nothing of
 * that connection waits in Netty's outbound buffer. A broadcast pays Netty's per-write bookkeeping (an outbound buffer
 * entry, a flush through the pipeline, a buffer duplicate, its release) once per recipient, where the socket needs
 * one {@code send}; the profile of a fan-out put that bookkeeping at about a third of the event loops' user time.
 *
 * <p>Only where nothing between the frame encoder and the socket handles outbound data (no TLS, no traffic shaping),
 * since those bytes would skip it. Whatever the socket does not take at once, and every send that fails, goes on
 * through Netty as any write does: order, backpressure (water marks, {@code EPOLLOUT}) and error handling stay Netty's.
 */
final class DirectSocketWrite {

    private final Channel channel;
    private final Socket socket;

    private DirectSocketWrite(Channel channel, Socket socket) {
        this.channel = channel;
        this.socket = socket;
    }

    /**
     * For a WebSocket connection whose handshake placed the frame encoder; {@code null} where frames must go through
     * Netty (another transport than epoll, an outbound handler in front of the encoder). Decided once: the handlers in
     * front of the encoder (proxy protocol, TLS) are placed when the connection is accepted.
     */
    static DirectSocketWrite of(Channel channel) {
        if (!(channel instanceof EpollSocketChannel epoll) || !(epoll.fd() instanceof Socket socket)) {
            return null;
        }
        for (Map.Entry<String, ChannelHandler> entry : channel.pipeline()) {
            ChannelHandler handler = entry.getValue();
            if (handler instanceof WebSocketFrameEncoder) {
                return new DirectSocketWrite(channel, socket);
            }
            if (handler instanceof ChannelOutboundHandler) {
                return null;
            }
        }
        return null;
    }

    /**
     * Whether a frame written now may go straight to the socket: on the connection's loop, with nothing of it in
     * Netty's outbound buffer (written or flushed), so that it cannot overtake anything.
     */
    boolean idle() {
        if (!channel.eventLoop().inEventLoop() || !channel.isActive()) {
            return false;
        }
        ChannelOutboundBuffer pending = channel.unsafe().outboundBuffer();
        return pending != null && pending.isEmpty() && pending.totalPendingWriteBytes() == 0;
    }

    /**
     * Sends {@code frame} (a retained reference this call takes over, whose reader index it leaves alone: the buffer
     * may be shared by every connection of the loop), straight to the socket when {@link #idle()}; what is left, or
     * all of it, is written and flushed through {@code out}.
     */
    void writeAndFlush(ByteBuf frame, ChannelOutboundInvoker out) {
        int start = frame.readerIndex();
        int end = frame.writerIndex();
        int sent = 0;
        if (frame.hasMemoryAddress() && idle()) {
            try {
                sent = socket.sendAddress(frame.memoryAddress(), start, end);
            } catch (IOException | RuntimeException e) {
                // A connection reset or closed by the peer (Netty reports some errnos as unchecked exceptions): Netty
                // meets the same error below and closes the connection its way.
                sent = 0;
            }
        }
        if (sent == end - start) {
            frame.release();
            return;
        }
        // The duplicate takes over this call's reference; its own reader index starts after what the socket took.
        ByteBuf rest = frame.duplicate();
        rest.readerIndex(start + sent);
        out.write(rest, channel.voidPromise());
        out.flush();
    }
}
