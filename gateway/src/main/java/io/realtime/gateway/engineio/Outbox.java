package io.realtime.gateway.engineio;

import java.util.ArrayDeque;

/** The packets waiting to be sent to one client, and their size (for the outbound limit); on the session's loop. */
final class Outbox {

    /** Small at first: an idle session's queue is empty, and ArrayDeque's default array is 88 bytes (issue 18). */
    private final ArrayDeque<EnginePacket> packets = new ArrayDeque<>(2);
    private long bytes;

    void add(EnginePacket packet) {
        packets.add(packet);
        bytes += packet.isBinary() ? packet.binary().length : packet.text().length() + 1;
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
