package io.realtime.gateway.engineio;

import java.util.ArrayDeque;

/** The packets waiting to be sent to one client, and their size (for the outbound limit); on the session's loop. */
final class Outbox {

    /** Small at first: an idle session's queue is empty, and ArrayDeque's default array is 88 bytes. */
    private final ArrayDeque<EnginePacket> packets = new ArrayDeque<>(2);
    private long bytes;

    /**
     * @param binaryAsBase64 whether binary goes as base64 text (long-polling), which takes four bytes for every three
     */
    void add(EnginePacket packet, boolean binaryAsBase64) {
        packets.add(packet);
        bytes += wireBytes(packet, binaryAsBase64);
    }

    /**
     * Text in UTF-8 bytes, not characters; binary as sent, {@code b} and base64 where it goes as text. On long-polling
     * text is counted without being encoded (the payload is written from the string); elsewhere (a WebSocket) by the
     * packet's UTF-8 array, which its frame is made of anyway, made once and kept, rather than scanned once more.
     */
    static long wireBytes(EnginePacket packet, boolean binaryAsBase64) {
        if (!packet.isBinary()) {
            return binaryAsBase64 ? packet.textUtf8Length() : packet.textUtf8().length;
        }
        long length = packet.binary().length;
        return binaryAsBase64 ? 4 * ((length + 2) / 3) + 1 : length;
    }

    /** Whether the last packet waiting is a PONG. */
    boolean endsWithPong() {
        EnginePacket last = packets.peekLast();
        return last != null && last.type() == EnginePacket.Type.PONG;
    }

    boolean isEmpty() {
        return packets.isEmpty();
    }

    /** About the bytes the packets take on the wire. */
    long bytes() {
        return bytes;
    }

    /** Hands every packet to a transport that {@linkplain Transport#canSend() can send}. */
    void sendTo(Transport transport) {
        transport.send(packets);
        bytes = 0;
    }

    void clear() {
        packets.clear();
        bytes = 0;
    }
}
