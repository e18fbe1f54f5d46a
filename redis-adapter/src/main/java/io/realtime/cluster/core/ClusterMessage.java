package io.realtime.cluster.core;

import io.realtime.cluster.BroadcastOptions;
import io.realtime.cluster.ClusterPacket;
import io.realtime.cluster.SocketDetails;

import java.util.List;
import java.util.Set;

/**
 * A message between the nodes of one namespace, as the cluster core sees it; transports encode and decode it.
 * {@code uid} is the sender's adapter id; {@code null} when the wire does not carry it (the emitter's membership
 * requests, the classic protocol's responses).
 */
public sealed interface ClusterMessage {

    MessageType type();

    String uid();

    /** The request this message asks or answers; {@code null} when none is expected. */
    default String requestId() {
        return null;
    }

    /**
     * Whether a transport may hold this message while Redis is unreachable and send it later: fire-and-forget
     * messages may; requests and answers fail at once so that nobody waits for them.
     */
    default boolean holdable() {
        return false;
    }

    /** An event for clients; with a request id it asks for their acknowledgements. */
    record Broadcast(String uid, ClusterPacket packet, BroadcastOptions opts, String requestId) implements ClusterMessage {
        public MessageType type() {
            return MessageType.BROADCAST;
        }

        public boolean holdable() {
            return requestId == null;
        }
    }

    record SocketsJoin(String uid, BroadcastOptions opts, Set<String> rooms) implements ClusterMessage {
        public MessageType type() {
            return MessageType.SOCKETS_JOIN;
        }

        public boolean holdable() {
            return true;
        }
    }

    record SocketsLeave(String uid, BroadcastOptions opts, Set<String> rooms) implements ClusterMessage {
        public MessageType type() {
            return MessageType.SOCKETS_LEAVE;
        }

        public boolean holdable() {
            return true;
        }
    }

    record DisconnectSockets(String uid, BroadcastOptions opts, boolean close) implements ClusterMessage {
        public MessageType type() {
            return MessageType.DISCONNECT_SOCKETS;
        }

        public boolean holdable() {
            return true;
        }
    }

    record FetchSockets(String uid, String requestId, BroadcastOptions opts) implements ClusterMessage {
        public MessageType type() {
            return MessageType.FETCH_SOCKETS;
        }
    }

    record FetchSocketsResponse(String uid, String requestId, List<SocketDetails> sockets) implements ClusterMessage {
        public MessageType type() {
            return MessageType.FETCH_SOCKETS_RESPONSE;
        }
    }

    record SocketIds(String uid, String requestId, Set<String> rooms) implements ClusterMessage {
        public MessageType type() {
            return MessageType.SOCKET_IDS;
        }
    }

    record SocketIdsResponse(String uid, String requestId, Set<String> ids) implements ClusterMessage {
        public MessageType type() {
            return MessageType.SOCKET_IDS_RESPONSE;
        }
    }

    record AllRooms(String uid, String requestId) implements ClusterMessage {
        public MessageType type() {
            return MessageType.ALL_ROOMS;
        }
    }

    record AllRoomsResponse(String uid, String requestId, Set<String> rooms) implements ClusterMessage {
        public MessageType type() {
            return MessageType.ALL_ROOMS_RESPONSE;
        }
    }

    /** An event for the other servers: {@code data} is the event name and its arguments. */
    record ServerSideEmit(String uid, String requestId, List<Object> data) implements ClusterMessage {
        public MessageType type() {
            return MessageType.SERVER_SIDE_EMIT;
        }

        public boolean holdable() {
            return requestId == null;
        }
    }

    record ServerSideEmitResponse(String uid, String requestId, Object data) implements ClusterMessage {
        public MessageType type() {
            return MessageType.SERVER_SIDE_EMIT_RESPONSE;
        }
    }

    record BroadcastClientCount(String uid, String requestId, int clientCount) implements ClusterMessage {
        public MessageType type() {
            return MessageType.BROADCAST_CLIENT_COUNT;
        }
    }

    record BroadcastAck(String uid, String requestId, Object ack) implements ClusterMessage {
        public MessageType type() {
            return MessageType.BROADCAST_ACK;
        }
    }
}
