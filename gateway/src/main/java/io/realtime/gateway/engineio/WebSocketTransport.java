package io.realtime.gateway.engineio;

import io.realtime.gateway.stats.DisconnectReason;
import com.corundumstudio.socketio.protocol.EngineIOVersion;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOutboundInvoker;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.TimeUnit;

/**
 * A WebSocket (engine.io's {@code transports/websocket.ts}): one Engine.IO packet per frame. The connection may live
 * on another event loop than its session (a probe opened by a polling client): frames read there hop onto the
 * session's loop, frames written from the session's loop are carried over by Netty.
 */
final class WebSocketTransport extends Transport {

    /** How long a closing WebSocket may take to get its Close frame out before the connection is dropped. */
    private static final long CLOSE_TIMEOUT_MS = 3000;
    /** The most broadcast frames held for one send; past it they go through Netty. */
    private static final int MOST_HELD = 64;

    private final Channel channel;
    /** Whether the handshake has been answered, after which frames may be written. */
    private boolean open;
    /**
     * Where complete frames enter the pipeline: at Netty's WebSocket frame encoder, so that they skip it and every
     * handler behind it (which only look at frame objects) instead of walking the whole pipeline per write and flush;
     * whatever sits in front of it (TLS) still sees the bytes. Found at the first write, once the handshake placed it.
     */
    private ChannelOutboundInvoker frameOut;
    /** The way past Netty's per-write bookkeeping for a broadcast's frame, where the connection allows it; or null. */
    private DirectSocketWrite directWrite;
    /**
     * Broadcast frames held from {@link #writeShared} until {@link #flushShared} to go straight to the socket in one
     * send: the first, and those that came after it within the fan-out's flush window (the list is made when a
     * connection first holds two, and kept). Every other write to this connection puts them into Netty first, so
     * nothing overtakes them.
     */
    private ByteBuf heldFrame;
    private ArrayList<ByteBuf> heldAfter;
    /** Messages read on the connection's loop, on their way to the session's. */
    private final InboundHandOver inbound;

    WebSocketTransport(EngineSession session, Channel channel) {
        super(session);
        this.channel = channel;
        this.inbound = InboundHandOver.of(channel, session.options().maxPayload());
    }

    /** The 101 has been sent: frames may follow. On the session's loop. */
    void opened() {
        open = true;
    }

    /** The handshake of the session's first transport has been answered: what is queued goes now. */
    void onHandshakeAnswered() {
        session.execute(() -> {
            open = true;
            session.onTransportReady();
        });
    }

    @Override
    com.corundumstudio.socketio.Transport kind() {
        return com.corundumstudio.socketio.Transport.WEBSOCKET;
    }

    @Override
    boolean canSend() {
        return open;
    }

    @Override
    void send(Queue<EnginePacket> packets) {
        pushHeldFrame();
        ChannelOutboundInvoker out = frameOut();
        if (directWrite != null && !packets.isEmpty()) {
            // An ack, an event to one socket, a ping: one send where the connection is idle, as a broadcast's frame.
            ByteBuf first = frame(packets.poll());
            List<ByteBuf> more = packets.isEmpty() ? List.of() : new ArrayList<>(packets.size());
            for (EnginePacket packet : packets) {
                more.add(frame(packet));
            }
            packets.clear();
            directWrite.writeAndFlush(first, more, out);
            return;
        }
        for (EnginePacket packet : packets) {
            out.write(frame(packet), channel.voidPromise());
        }
        packets.clear();
        out.flush();
    }

    private ByteBuf frame(EnginePacket packet) {
        ByteBuf frame = WebSocketFrames.encode(packet, session.version(), channel.alloc());
        session.observer().bytesSent(frame.readableBytes());
        return frame;
    }

    @Override
    boolean writeShared(WebSocketFrames.Shared frames) {
        if (!open) {
            return false;
        }
        ChannelOutboundInvoker out = frameOut();
        int count = frames.packets().size();
        if (count == 1 && directWrite != null) {
            // A frame held already means nothing went into Netty since, which was idle then.
            if (heldFrame == null && directWrite.idle()) {
                heldFrame = frames.retainedShared(0, session.version(), channel.alloc());
                return true;
            }
            if (heldFrame != null && (heldAfter == null || heldAfter.size() < MOST_HELD)) {
                if (heldAfter == null) {
                    heldAfter = new ArrayList<>(4);
                }
                heldAfter.add(frames.retainedShared(0, session.version(), channel.alloc()));
                return true;
            }
        }
        pushHeldFrame();
        for (int i = 0; i < count; i++) {
            // The void promise spares an object per write; the bytes are counted once per loop by the fan-out.
            out.write(frames.frame(i, session.version(), channel.alloc()), channel.voidPromise());
        }
        return true;
    }

    @Override
    void flushShared() {
        ByteBuf held = heldFrame;
        if (held != null) {
            heldFrame = null;
            try {
                directWrite.writeAndFlush(held, heldAfter == null ? List.of() : heldAfter, frameOut());
            } finally {
                if (heldAfter != null) {
                    heldAfter.clear();
                }
            }
        } else {
            frameOut().flush();
        }
    }

    /**
     * Puts the held broadcast frames into Netty, ahead of what this connection writes next: the session's own packets,
     * its close, a control frame from the connection's handler (a Pong, the echo of a Close). On the connection's
     * loop; frames are only ever held when that is the session's too.
     */
    void pushHeldFrame() {
        ByteBuf held = heldFrame;
        if (held != null) {
            heldFrame = null;
            ChannelOutboundInvoker out = frameOut();
            // A duplicate of its own for Netty to move the reader index of; it takes over the held reference (and
            // releases it if the connection is gone).
            out.write(held.duplicate(), channel.voidPromise());
            if (heldAfter != null) {
                for (int i = 0, n = heldAfter.size(); i < n; i++) {
                    out.write(heldAfter.get(i).duplicate(), channel.voidPromise());
                }
                heldAfter.clear();
            }
        }
    }

    private ChannelOutboundInvoker frameOut() {
        ChannelOutboundInvoker out = frameOut;
        if (out == null) {
            // Absent only where no handshake ran (tests' embedded channels): then the whole pipeline.
            ChannelOutboundInvoker encoder = channel.pipeline().context(WebSocketFrameEncoder.class);
            out = encoder != null ? encoder : channel;
            frameOut = out;
            directWrite = DirectSocketWrite.of(channel);
        }
        return out;
    }

    @Override
    boolean isWritable() {
        return channel.isWritable();
    }

    @Override
    long pendingBytes() {
        if (!channel.isActive()) {
            return 0;
        }
        // Netty tells the bytes waiting only against its water marks: what may still be written before the high
        // mark, or what must drain to get back under the low one.
        WriteBufferWaterMark marks = channel.config().getWriteBufferWaterMark();
        return channel.isWritable()
                ? Math.max(0, marks.high() + 1 - channel.bytesBeforeUnwritable())
                : marks.low() - 1 + channel.bytesBeforeWritable();
    }

    @Override
    void closeGracefully() {
        if (open) {
            // What is queued goes first, then the close frame (the session's flush ends it).
            session.flush();
        } else {
            // No WebSocket yet (its handshake failed or is not answered): nothing can reach the client.
            session.closeNow(session.closingReason(), null);
        }
    }

    /** Answers a probe: the client may now pause polling and send UPGRADE. */
    void answerProbe() {
        channel.writeAndFlush(new TextWebSocketFrame(EnginePacket.of(EnginePacket.Type.PONG, "probe").encodeText()));
    }

    /** This WebSocket may not become the session's transport (a second probe, a session gone). */
    void refuse() {
        channel.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.PROTOCOL_ERROR))
                .addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    void abort() {
        releaseHeldFrame();
        channel.close();
    }

    @Override
    void close(EnginePacket farewell) {
        // What the session wrote before it closed goes ahead of the Close frame, as it would have through Netty.
        pushHeldFrame();
        if (!open) {
            channel.close();
        } else if (channel.isActive()) {
            channel.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE))
                    .addListener(ChannelFutureListener.CLOSE);
            // A peer that reads nothing never lets the Close frame out: the session is gone already, so the
            // connection is not kept until TCP gives up (as ws destroys its socket after a close timeout).
            channel.eventLoop().schedule(() -> channel.close(), CLOSE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        }
    }

    private void releaseHeldFrame() {
        ByteBuf held = heldFrame;
        if (held != null) {
            heldFrame = null;
            held.release();
            if (heldAfter != null) {
                heldAfter.forEach(ByteBuf::release);
                heldAfter.clear();
            }
        }
    }

    // ---- from the connection's handler, on the connection's event loop -------------------------------------

    /** @param bytes the message's length in UTF-8, as read (what maxPayload counts), not in characters */
    void onText(String text, int bytes) {
        inbound.handOver(session.eventLoop(), bytes, () -> {
            EnginePacket packet;
            try {
                packet = EnginePacket.decodeTextOrBase64(text, session.version());
            } catch (EngineProtocolException e) {
                session.onTransportError(this, e);
                return;
            }
            session.receive(this, packet);
        });
    }

    void onBinary(byte[] data) {
        inbound.handOver(session.eventLoop(), data.length, () -> {
            // On a probe too: anything there but the probe's own packets abandons the upgrade, as engine.io's does.
            if (session.version() == EngineIOVersion.V4) {
                session.receive(this, EnginePacket.binaryMessage(data));
            } else if (data.length > 0 && data[0] == 4) {
                session.receive(this, EnginePacket.binaryMessage(Arrays.copyOfRange(data, 1, data.length)));
            } else {
                session.onTransportError(this, new EngineProtocolException("binary frame without message type"));
            }
        });
    }

    void onWritabilityChanged() {
        session.execute(() -> session.onWritabilityChanged(this));
    }

    /** @param failed whether the connection ended on a protocol failure (as ws's {@code error}) rather than a close */
    void onInactive(boolean failed) {
        DisconnectReason reason = failed ? DisconnectReason.TRANSPORT_ERROR : DisconnectReason.TRANSPORT_CLOSE;
        session.execute(() -> session.onTransportClosed(this, reason));
    }
}
