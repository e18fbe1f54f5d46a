package io.realtime.cluster.core;

/**
 * What a cluster message asks or answers, independent of how a transport writes it: each transport maps these to
 * its own wire codes (the classic protocol numbers them 0-9, socket.io-adapter's {@code ClusterAdapter} 3-12).
 */
public enum MessageType {
    BROADCAST,
    SOCKETS_JOIN,
    SOCKETS_LEAVE,
    DISCONNECT_SOCKETS,
    FETCH_SOCKETS,
    FETCH_SOCKETS_RESPONSE,
    /** The classic protocol's legacy {@code SOCKETS} request: ids only. Answered, never sent. */
    SOCKET_IDS,
    SOCKET_IDS_RESPONSE,
    ALL_ROOMS,
    ALL_ROOMS_RESPONSE,
    SERVER_SIDE_EMIT,
    SERVER_SIDE_EMIT_RESPONSE,
    BROADCAST_CLIENT_COUNT,
    BROADCAST_ACK;

    /** Whether this type answers a request (and is matched to it by its request id). */
    public boolean isResponse() {
        return this == FETCH_SOCKETS_RESPONSE || this == SOCKET_IDS_RESPONSE || this == ALL_ROOMS_RESPONSE
                || this == SERVER_SIDE_EMIT_RESPONSE || this == BROADCAST_CLIENT_COUNT || this == BROADCAST_ACK;
    }
}
