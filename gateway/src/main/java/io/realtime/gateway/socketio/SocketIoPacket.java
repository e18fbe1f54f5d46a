package io.realtime.gateway.socketio;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A decoded Socket.IO packet, before it reaches a namespace.
 *
 * @param type        packet type (see the constants)
 * @param namespace   namespace name with its leading slash; {@code /} for the main namespace
 * @param ackId       acknowledgement id, or {@code null}
 * @param data        JSON payload with binary attachments already in place (as binary nodes), or {@code null}
 * @param attachments number of binary attachments announced by the packet header
 */
public record SocketIoPacket(int type, String namespace, Long ackId, JsonNode data, int attachments) {

    public static final int CONNECT = 0;
    public static final int DISCONNECT = 1;
    public static final int EVENT = 2;
    public static final int ACK = 3;
    public static final int CONNECT_ERROR = 4;
    public static final int BINARY_EVENT = 5;
    public static final int BINARY_ACK = 6;

    SocketIoPacket withData(JsonNode newData) {
        return new SocketIoPacket(type, namespace, ackId, newData, attachments);
    }

    public boolean isEvent() {
        return type == EVENT || type == BINARY_EVENT;
    }

    public boolean isAck() {
        return type == ACK || type == BINARY_ACK;
    }
}
