package io.realtime.cluster.redis;

import io.realtime.cluster.SocketDetails;
import io.realtime.cluster.core.ClusterMessage;
import io.realtime.cluster.core.ClusterMessage.Broadcast;
import io.realtime.cluster.core.ClusterMessage.BroadcastAck;
import io.realtime.cluster.core.ClusterMessage.BroadcastClientCount;
import io.realtime.cluster.core.ClusterMessage.DisconnectSockets;
import io.realtime.cluster.core.ClusterMessage.FetchSockets;
import io.realtime.cluster.core.ClusterMessage.FetchSocketsResponse;
import io.realtime.cluster.core.ClusterMessage.ServerSideEmit;
import io.realtime.cluster.core.ClusterMessage.ServerSideEmitResponse;
import io.realtime.cluster.core.ClusterMessage.SocketsJoin;
import io.realtime.cluster.core.ClusterMessage.SocketsLeave;
import io.realtime.cluster.core.MalformedMessageException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The wire format of socket.io-adapter's {@code ClusterAdapter} as {@code createShardedAdapter} (8.3) sends it:
 * {@code {uid, nsp, type, data}} with the codes 3-12, JSON unless the data holds binary (then msgpack).
 */
final class ShardedCodec {

    static final int INITIAL_HEARTBEAT = 1;
    static final int HEARTBEAT = 2;
    static final int BROADCAST = 3;
    static final int SOCKETS_JOIN = 4;
    static final int SOCKETS_LEAVE = 5;
    static final int DISCONNECT_SOCKETS = 6;
    static final int FETCH_SOCKETS = 7;
    static final int FETCH_SOCKETS_RESPONSE = 8;
    static final int SERVER_SIDE_EMIT = 9;
    static final int SERVER_SIDE_EMIT_RESPONSE = 10;
    static final int BROADCAST_CLIENT_COUNT = 11;
    static final int BROADCAST_ACK = 12;
    static final int ADAPTER_CLOSE = 13;

    private final WireCodec codec = new WireCodec();
    private final String nsp;

    ShardedCodec(String nsp) {
        this.nsp = nsp;
    }

    /** A message's type code and {@code data}, as socket.io-adapter's {@code ClusterAdapter} writes them. */
    record Body(int type, Map<String, Object> data) {

        boolean hasBinary() {
            return ShardedCodec.hasBinary(data);
        }
    }

    byte[] encode(ClusterMessage message) {
        Body typed = body(message);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("uid", message.uid());
        body.put("nsp", nsp);
        body.put("type", typed.type());
        body.put("data", typed.data());
        return typed.hasBinary() ? codec.msgpack(body) : codec.json(body);
    }

    Body body(ClusterMessage message) {
        Map<String, Object> data = new LinkedHashMap<>();
        int type;
        if (message instanceof Broadcast broadcast) {
            type = BROADCAST;
            data.put("packet", WireValues.packet(broadcast.packet(), nsp));
            if (broadcast.requestId() != null) {
                data.put("requestId", broadcast.requestId());
            }
            data.put("opts", WireValues.opts(broadcast.opts()));
        } else if (message instanceof SocketsJoin join) {
            type = SOCKETS_JOIN;
            data.put("opts", WireValues.opts(join.opts()));
            data.put("rooms", List.copyOf(join.rooms()));
        } else if (message instanceof SocketsLeave leave) {
            type = SOCKETS_LEAVE;
            data.put("opts", WireValues.opts(leave.opts()));
            data.put("rooms", List.copyOf(leave.rooms()));
        } else if (message instanceof DisconnectSockets disconnect) {
            type = DISCONNECT_SOCKETS;
            data.put("opts", WireValues.opts(disconnect.opts()));
            data.put("close", disconnect.close());
        } else if (message instanceof FetchSockets fetch) {
            type = FETCH_SOCKETS;
            data.put("opts", WireValues.opts(fetch.opts()));
            data.put("requestId", fetch.requestId());
        } else if (message instanceof FetchSocketsResponse fetched) {
            type = FETCH_SOCKETS_RESPONSE;
            data.put("requestId", fetched.requestId());
            data.put("sockets", fetched.sockets());
        } else if (message instanceof ServerSideEmit emit) {
            type = SERVER_SIDE_EMIT;
            if (emit.requestId() != null) {
                data.put("requestId", emit.requestId());
            }
            data.put("packet", emit.data());
        } else if (message instanceof ServerSideEmitResponse answer) {
            type = SERVER_SIDE_EMIT_RESPONSE;
            data.put("requestId", answer.requestId());
            data.put("packet", answer.data());
        } else if (message instanceof BroadcastClientCount count) {
            type = BROADCAST_CLIENT_COUNT;
            data.put("requestId", count.requestId());
            data.put("clientCount", count.clientCount());
        } else if (message instanceof BroadcastAck ack) {
            type = BROADCAST_ACK;
            data.put("requestId", ack.requestId());
            data.put("packet", ack.ack());
        } else {
            throw new IllegalArgumentException("the sharded protocol has no " + message.type() + " message");
        }
        return new Body(type, data);
    }

    /** The message; null for the types this node has nothing to do with (heartbeats, adapter close). */
    ClusterMessage decode(byte[] raw) {
        if (!(codec.decodeJsonOrMsgpack(raw) instanceof Map<?, ?> body)) {
            throw new MalformedMessageException("sharded message is not an object", "");
        }
        String uid = WireValues.uidOf(body);
        int type = WireValues.intOf(body.get("type"), "type");
        if (type == INITIAL_HEARTBEAT || type == HEARTBEAT || type == ADAPTER_CLOSE) {
            return null;
        }
        if (!(body.get("data") instanceof Map<?, ?> data)) {
            throw new MalformedMessageException("sharded message without data", String.valueOf(body.get("data")));
        }
        return message(uid, type, data);
    }

    /** The message of a type code and its {@code data}; null for a broadcast to another namespace. */
    ClusterMessage message(String uid, int type, Map<?, ?> data) {
        return switch (type) {
            case BROADCAST -> {
                var event = WireValues.eventOf(data.get("packet"), nsp);
                yield event == null ? null
                        : new Broadcast(uid, event, WireValues.optsOf(data.get("opts")), WireValues.optionalRequestId(data));
            }
            case SOCKETS_JOIN -> new SocketsJoin(uid, WireValues.optsOf(data.get("opts")), WireValues.strings(data.get("rooms")));
            case SOCKETS_LEAVE -> new SocketsLeave(uid, WireValues.optsOf(data.get("opts")), WireValues.strings(data.get("rooms")));
            case DISCONNECT_SOCKETS -> new DisconnectSockets(uid, WireValues.optsOf(data.get("opts")), Boolean.TRUE.equals(data.get("close")));
            case FETCH_SOCKETS -> new FetchSockets(uid, WireValues.requestId(data), WireValues.optsOf(data.get("opts")));
            case FETCH_SOCKETS_RESPONSE -> new FetchSocketsResponse(uid, WireValues.requestId(data), WireValues.sockets(data.get("sockets")));
            case SERVER_SIDE_EMIT -> {
                if (!(data.get("packet") instanceof List<?> packet)) {
                    throw new MalformedMessageException("serverSideEmit without packet", String.valueOf(data.get("packet")));
                }
                yield new ServerSideEmit(uid, WireValues.optionalRequestId(data), new ArrayList<>(packet));
            }
            case SERVER_SIDE_EMIT_RESPONSE -> new ServerSideEmitResponse(uid, WireValues.requestId(data), data.get("packet"));
            case BROADCAST_CLIENT_COUNT -> new BroadcastClientCount(uid, WireValues.requestId(data),
                    WireValues.intOf(data.get("clientCount"), "clientCount"));
            case BROADCAST_ACK -> new BroadcastAck(uid, WireValues.requestId(data), data.get("packet"));
            default -> throw new MalformedMessageException("unknown sharded message type", Integer.toString(type));
        };
    }

    private static boolean hasBinary(Map<String, Object> data) {
        for (Object value : data.values()) {
            if (WireValues.hasBinary(value)) {
                return true;
            }
            if (value instanceof List<?> list) {
                for (Object item : list) {
                    if (item instanceof SocketDetails socket && (WireValues.hasBinary(socket.data()) || WireValues.hasBinary(socket.handshake()))) {
                        return true;
                    }
                }
            }
        }
        return false;
    }
}
