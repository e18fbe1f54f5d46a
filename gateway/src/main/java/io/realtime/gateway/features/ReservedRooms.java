package io.realtime.gateway.features;

import io.realtime.cluster.SocketIds;
import io.realtime.gateway.api.GatewayException;

/**
 * Rooms the server keeps: a namespace's (every socket is in it) and each socket's own (its id in either form a socket
 * id takes: 20 base64url characters, or a UUID's 36), whose traffic a member would receive. No client joins, leaves
 * or sends to one by name, nor gets one as its notification room.
 */
final class ReservedRooms {

    private ReservedRooms() {
    }

    /** @throws GatewayException forbidden, when {@code room} is one of the server's */
    static void refuse(String room) {
        if (room.startsWith("/") || room.isEmpty() || SocketIds.parse(room) != null) {
            throw GatewayException.forbidden("'" + room + "' is reserved: room names may not start with '/' or be a socket id");
        }
    }
}
