package io.realtime.gateway.engineio;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelOutboundHandler;
import io.netty.channel.ChannelOutboundInvoker;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.unix.IovArray;
import io.netty.channel.unix.Socket;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import io.netty.util.concurrent.FastThreadLocal;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Writes frames straight to an epoll connection's socket, from the connection's event loop, when nothing of that
 * connection waits in Netty's outbound buffer: a broadcast's shared frames and a session's own packets (acks, pings).
 * A broadcast pays Netty's per-write bookkeeping (an outbound buffer entry, a flush through the pipeline, a buffer
 * duplicate, its release) once per recipient, where the socket needs one {@code send}; the profile of a fan-out put
 * that bookkeeping at about a third of the event loops' user time, and that of parallel acks at 7 % of their time.
 *
 * <p>Only where nothing between the frame encoder and the socket handles outbound data (no TLS, no traffic shaping),
 * since those bytes would skip it. Whatever the socket does not take at once, and every send that fails, goes on
 * through Netty as any write does: order, backpressure (water marks, {@code EPOLLOUT}) and error handling stay Netty's.
 */
final class DirectSocketWrite {

    /**
     * The system call's list of buffers, one per event loop (Netty's own is the loop's and not public); the memory is
     * given back when the loop's thread ends.
     */
    private static final FastThreadLocal<IovArray> VECTORS = new FastThreadLocal<>() {
        @Override
        protected IovArray initialValue() {
            return new IovArray();
        }

        @Override
        protected void onRemoval(IovArray vectors) {
            vectors.release();
        }
    };

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
     * Sends {@code first} and then {@code more} (retained references this call takes over, whose reader indices it
     * leaves alone: a buffer may be shared by every connection of the loop) straight to the socket in one system call
     * when {@link #idle()}; what the socket does not take, or all of it, goes through {@code out} in order, and is
     * flushed.
     */
    void writeAndFlush(ByteBuf first, List<ByteBuf> more, ChannelOutboundInvoker out) {
        long sent = finish(first, idle() ? send(first, more) : 0, out);
        for (int i = 0, n = more.size(); i < n; i++) {
            sent = finish(more.get(i), sent, out);
        }
        if (sent < 0) {
            out.flush();
        }
    }

    /** The bytes the socket took of the frames, in order; 0 where they cannot be sent from here. */
    private long send(ByteBuf first, List<ByteBuf> more) {
        try {
            if (more.isEmpty()) {
                return first.hasMemoryAddress()
                        ? socket.sendAddress(first.memoryAddress(), first.readerIndex(), first.writerIndex()) : 0;
            }
            IovArray vectors = VECTORS.get();
            vectors.clear();
            try {
                boolean all = add(vectors, first);
                for (int i = 0, n = more.size(); all && i < n; i++) {
                    all = add(vectors, more.get(i));
                }
                return all ? socket.writevAddresses(vectors.memoryAddress(0), vectors.count()) : 0;
            } finally {
                vectors.clear();
            }
        } catch (IOException | RuntimeException e) {
            // A connection reset or closed by the peer (Netty reports some errnos as unchecked exceptions): Netty
            // meets the same error on the way below and closes the connection its way.
            return 0;
        }
    }

    private static boolean add(IovArray vectors, ByteBuf frame) {
        return frame.hasMemoryAddress() && vectors.add(frame, frame.readerIndex(), frame.readableBytes());
    }

    /**
     * Releases {@code frame} when the socket took all of it ({@code sent} bytes left over from the frames before);
     * else writes what it did not take through {@code out}. Returns the bytes left over for the next frame, or -1
     * once a frame went through Netty (the frames after it follow it there).
     */
    private long finish(ByteBuf frame, long sent, ChannelOutboundInvoker out) {
        int length = frame.readableBytes();
        if (sent >= length) {
            frame.release();
            return sent - length;
        }
        // The duplicate takes over this call's reference; its own reader index starts after what the socket took.
        ByteBuf rest = frame.duplicate();
        if (sent > 0) {
            rest.readerIndex(frame.readerIndex() + (int) sent);
        }
        out.write(rest, channel.voidPromise());
        return -1;
    }
}
