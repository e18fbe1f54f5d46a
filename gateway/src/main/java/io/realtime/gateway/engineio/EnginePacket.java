package io.realtime.gateway.engineio;

import com.corundumstudio.socketio.protocol.EngineIOVersion;

import java.util.Arrays;

/**
 * One Engine.IO packet: a type and either a text payload or, for binary messages, raw bytes.
 * Immutable; the byte array is never written after construction, so one instance can be shared by many sessions.
 */
public final class EnginePacket {

    public enum Type {
        OPEN('0'), CLOSE('1'), PING('2'), PONG('3'), MESSAGE('4'), UPGRADE('5'), NOOP('6');

        private final char code;

        Type(char code) {
            this.code = code;
        }

        public char code() {
            return code;
        }

        static Type fromCode(char c) {
            int index = c - '0';
            if (index < 0 || index >= values().length) {
                throw new EngineProtocolException("unknown packet type '" + c + "'");
            }
            return values()[index];
        }
    }

    public static final EnginePacket PING = new EnginePacket(Type.PING, "", null);
    public static final EnginePacket PONG = new EnginePacket(Type.PONG, "", null);
    public static final EnginePacket NOOP = new EnginePacket(Type.NOOP, "", null);
    public static final EnginePacket CLOSE = new EnginePacket(Type.CLOSE, "", null);

    private final Type type;
    private final String text;
    private final byte[] binary;
    /** The text record as UTF-8, computed once: a broadcast's packet is written to many connections. */
    private volatile byte[] utf8;
    /** The length of that record in UTF-8, counted once without encoding it (0 until counted; never 0 once it is). */
    private int utf8Length;

    private EnginePacket(Type type, String text, byte[] binary) {
        this.type = type;
        this.text = text;
        this.binary = binary;
    }

    public static EnginePacket of(Type type, String text) {
        return new EnginePacket(type, text == null ? "" : text, null);
    }

    public static EnginePacket message(String text) {
        return new EnginePacket(Type.MESSAGE, text, null);
    }

    public static EnginePacket binaryMessage(byte[] data) {
        return new EnginePacket(Type.MESSAGE, null, data);
    }

    public Type type() {
        return type;
    }

    public boolean isBinary() {
        return binary != null;
    }

    /** The text payload; empty for packets without data, {@code null} for binary messages. */
    public String text() {
        return text;
    }

    public byte[] binary() {
        return binary;
    }

    /** The packet as one Engine.IO text record: its type digit followed by its data. */
    public String encodeText() {
        return type.code + text;
    }

    /** {@link #encodeText()} in UTF-8; the same array every time (callers must not write it). */
    public byte[] textUtf8() {
        byte[] bytes = utf8;
        if (bytes == null) {
            bytes = encodeText().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            utf8 = bytes;
        }
        return bytes;
    }

    /**
     * The length of {@link #textUtf8()} without making it: what a queued text packet takes on the wire (a character
     * may take up to three bytes). Counted once per packet, which a broadcast shares among its recipients.
     */
    int textUtf8Length() {
        int length = utf8Length;
        if (length == 0) {
            byte[] bytes = utf8;
            // The type digit is one byte; the count of a lone surrogate (one '?') is the one its encoding gives.
            length = bytes != null ? bytes.length : 1 + io.netty.buffer.ByteBufUtil.utf8Bytes(text);
            utf8Length = length;
        }
        return length;
    }

    /**
     * A text record or frame as the client's parser writes it: a packet, or binary data in base64 ({@code b...} in
     * v4, {@code b4...} in v3), which a client sends when it cannot send binary ({@code forceBase64}, or polling).
     */
    static EnginePacket decodeTextOrBase64(String record, EngineIOVersion version) {
        if (version == EngineIOVersion.V4 && record.startsWith("b")) {
            return binaryMessage(PayloadBase64.decode(record, 1));
        }
        if (version != EngineIOVersion.V4 && record.startsWith("b4")) {
            return binaryMessage(PayloadBase64.decode(record, 2));
        }
        return decodeText(record);
    }

    static EnginePacket decodeText(String record) {
        if (record.isEmpty()) {
            throw new EngineProtocolException("empty packet");
        }
        return of(Type.fromCode(record.charAt(0)), record.substring(1));
    }

    @Override
    public String toString() {
        return isBinary() ? type + "<" + binary.length + " bytes>" : type + ":" + text;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof EnginePacket other)) {
            return false;
        }
        return type == other.type && java.util.Objects.equals(text, other.text) && Arrays.equals(binary, other.binary);
    }

    @Override
    public int hashCode() {
        return 31 * type.hashCode() + (text != null ? text.hashCode() : Arrays.hashCode(binary));
    }
}
