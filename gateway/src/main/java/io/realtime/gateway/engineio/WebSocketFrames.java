package io.realtime.gateway.engineio;

import com.corundumstudio.socketio.protocol.EngineIOVersion;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Engine.IO packets as complete WebSocket frames (RFC 6455 §5.2; a server's frames are not masked), written to the
 * channel as bytes. A broadcast builds its frame once per event loop and every connection writes a duplicate of the
 * same buffer, instead of one frame object and one encoder pass per client.
 */
final class WebSocketFrames {

    private static final int FIN = 0x80;
    private static final int TEXT = 0x1;
    private static final int BINARY = 0x2;
    /** Engine.IO 3 prefixes a binary message with its packet type ({@code 4}, message) on WebSocket too. */
    private static final byte V3_BINARY_PREFIX = 4;

    private WebSocketFrames() {
    }

    /** A new buffer holding {@code packet} as one final frame; the caller owns (and releases or writes) it. */
    static ByteBuf encode(EnginePacket packet, EngineIOVersion version, ByteBufAllocator alloc) {
        boolean prefixed = packet.isBinary() && version != EngineIOVersion.V4;
        byte[] payload = packet.isBinary() ? packet.binary() : packet.textUtf8();
        int length = payload.length + (prefixed ? 1 : 0);
        int headerLength = length < 126 ? 2 : length <= 0xFFFF ? 4 : 10;
        ByteBuf frame = alloc.directBuffer(headerLength + length);
        frame.writeByte(FIN | (packet.isBinary() ? BINARY : TEXT));
        if (length < 126) {
            frame.writeByte(length);
        } else if (length <= 0xFFFF) {
            frame.writeByte(126);
            frame.writeShort(length);
        } else {
            frame.writeByte(127);
            frame.writeLong(length);
        }
        if (prefixed) {
            frame.writeByte(V3_BINARY_PREFIX);
        }
        frame.writeBytes(payload);
        return frame;
    }

    /**
     * The frames of packets sent to many connections of one event loop: each built on first use (per Engine.IO
     * version, which changes binary frames) and shared; {@link #release()} once every connection has written its own.
     */
    static final class Shared {
        private final java.util.List<EnginePacket> packets;
        private ByteBuf[] v4;
        private ByteBuf[] older;
        private int framesHandedOut;
        private long bytesHandedOut;

        Shared(java.util.List<EnginePacket> packets) {
            this.packets = packets;
        }

        java.util.List<EnginePacket> packets() {
            return packets;
        }

        /** The frame of packet {@code index} for one connection: a retained duplicate, released by the write. */
        ByteBuf frame(int index, EngineIOVersion version, ByteBufAllocator alloc) {
            return shared(index, version, alloc).retainedDuplicate();
        }

        /**
         * The frame of packet {@code index} itself, retained for one connection, for a reader that leaves its indices
         * alone ({@link DirectSocketWrite}); released by that reader.
         */
        ByteBuf retainedShared(int index, EngineIOVersion version, ByteBufAllocator alloc) {
            return shared(index, version, alloc).retain();
        }

        private ByteBuf shared(int index, EngineIOVersion version, ByteBufAllocator alloc) {
            ByteBuf[] frames = version == EngineIOVersion.V4 ? v4 : older;
            if (frames == null) {
                frames = new ByteBuf[packets.size()];
                if (version == EngineIOVersion.V4) {
                    v4 = frames;
                } else {
                    older = frames;
                }
            }
            ByteBuf frame = frames[index];
            if (frame == null) {
                frame = encode(packets.get(index), version, alloc);
                frames[index] = frame;
            }
            framesHandedOut++;
            bytesHandedOut += frame.readableBytes();
            return frame;
        }

        /** How many frames {@link #frame} and {@link #retainedShared} handed out (one per connection), to count. */
        int framesHandedOut() {
            return framesHandedOut;
        }

        /** Their bytes. */
        long bytesHandedOut() {
            return bytesHandedOut;
        }

        void release() {
            releaseAll(v4);
            releaseAll(older);
        }

        private static void releaseAll(ByteBuf[] frames) {
            if (frames != null) {
                for (ByteBuf frame : frames) {
                    if (frame != null) {
                        frame.release();
                    }
                }
            }
        }
    }
}
