package io.realtime.cluster.redis;

import io.realtime.cluster.core.ClusterMessage;
import io.realtime.cluster.core.ClusterMessage.AllRooms;
import io.realtime.cluster.core.ClusterMessage.AllRoomsResponse;
import io.realtime.cluster.core.ClusterMessage.Broadcast;
import io.realtime.cluster.core.ClusterMessage.BroadcastAck;
import io.realtime.cluster.core.ClusterMessage.BroadcastClientCount;
import io.realtime.cluster.core.ClusterMessage.DisconnectSockets;
import io.realtime.cluster.core.ClusterMessage.FetchSockets;
import io.realtime.cluster.core.ClusterMessage.FetchSocketsResponse;
import io.realtime.cluster.core.ClusterMessage.ServerSideEmit;
import io.realtime.cluster.core.ClusterMessage.ServerSideEmitResponse;
import io.realtime.cluster.core.ClusterMessage.SocketIds;
import io.realtime.cluster.core.ClusterMessage.SocketIdsResponse;
import io.realtime.cluster.core.ClusterMessage.SocketsJoin;
import io.realtime.cluster.core.ClusterMessage.SocketsLeave;
import io.realtime.cluster.core.MalformedMessageException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The wire format of Node's classic {@code @socket.io/redis-adapter} (v8) and {@code @socket.io/redis-emitter}:
 * broadcasts are the msgpack array {@code [uid, packet, opts]}; requests and responses are JSON objects with the
 * codes 0-9, except the acknowledged broadcast (7) and its acks (9), which are msgpack maps.
 */
final class ClassicCodec {

    static final int SOCKETS = 0;
    static final int ALL_ROOMS = 1;
    static final int REMOTE_JOIN = 2;
    static final int REMOTE_LEAVE = 3;
    static final int REMOTE_DISCONNECT = 4;
    static final int REMOTE_FETCH = 5;
    static final int SERVER_SIDE_EMIT = 6;
    static final int BROADCAST = 7;
    static final int BROADCAST_CLIENT_COUNT = 8;
    static final int BROADCAST_ACK = 9;

    private final WireCodec codec = new WireCodec();
    private final String nsp;

    ClassicCodec(String nsp) {
        this.nsp = nsp;
    }

    byte[] broadcast(Broadcast broadcast) {
        return codec.msgpack(List.of(broadcast.uid(), WireValues.packet(broadcast.packet(), nsp),
                WireValues.opts(broadcast.opts())));
    }

    /** A request (anything but a plain broadcast and the responses). */
    byte[] request(ClusterMessage message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("uid", message.uid());
        if (message instanceof Broadcast broadcast) {
            body.put("requestId", broadcast.requestId());
            body.put("type", BROADCAST);
            body.put("packet", WireValues.packet(broadcast.packet(), nsp));
            body.put("opts", WireValues.opts(broadcast.opts()));
            return codec.msgpack(body);
        }
        if (message instanceof SocketsJoin join) {
            body.put("type", REMOTE_JOIN);
            body.put("opts", WireValues.filter(join.opts()));
            body.put("rooms", List.copyOf(join.rooms()));
        } else if (message instanceof SocketsLeave leave) {
            body.put("type", REMOTE_LEAVE);
            body.put("opts", WireValues.filter(leave.opts()));
            body.put("rooms", List.copyOf(leave.rooms()));
        } else if (message instanceof DisconnectSockets disconnect) {
            body.put("type", REMOTE_DISCONNECT);
            body.put("opts", WireValues.filter(disconnect.opts()));
            body.put("close", disconnect.close());
        } else if (message instanceof FetchSockets fetch) {
            body.put("requestId", fetch.requestId());
            body.put("type", REMOTE_FETCH);
            body.put("opts", WireValues.filter(fetch.opts()));
        } else if (message instanceof AllRooms all) {
            body.put("requestId", all.requestId());
            body.put("type", ALL_ROOMS);
        } else if (message instanceof SocketIds ids) {
            body.put("requestId", ids.requestId());
            body.put("type", SOCKETS);
            body.put("rooms", List.copyOf(ids.rooms()));
        } else if (message instanceof ServerSideEmit emit) {
            body.put("type", SERVER_SIDE_EMIT);
            body.put("data", emit.data());
            if (emit.requestId() != null) {
                body.put("requestId", emit.requestId());
            }
        } else {
            throw new IllegalArgumentException("not a request: " + message.type());
        }
        return codec.json(body);
    }

    byte[] response(ClusterMessage message) {
        Map<String, Object> body = new LinkedHashMap<>();
        if (message instanceof FetchSocketsResponse fetched) {
            body.put("requestId", fetched.requestId());
            body.put("sockets", fetched.sockets());
        } else if (message instanceof SocketIdsResponse ids) {
            body.put("requestId", ids.requestId());
            body.put("sockets", List.copyOf(ids.ids()));
        } else if (message instanceof AllRoomsResponse rooms) {
            body.put("requestId", rooms.requestId());
            body.put("rooms", List.copyOf(rooms.rooms()));
        } else if (message instanceof ServerSideEmitResponse answer) {
            body.put("type", SERVER_SIDE_EMIT);
            body.put("requestId", answer.requestId());
            body.put("data", answer.data());
        } else if (message instanceof BroadcastClientCount count) {
            body.put("type", BROADCAST_CLIENT_COUNT);
            body.put("requestId", count.requestId());
            body.put("clientCount", count.clientCount());
        } else if (message instanceof BroadcastAck ack) {
            body.put("type", BROADCAST_ACK);
            body.put("requestId", ack.requestId());
            body.put("packet", ack.ack());
            return codec.msgpack(body);
        } else {
            throw new IllegalArgumentException("not a response: " + message.type());
        }
        return codec.json(body);
    }

    /** A broadcast; null when it is for another namespace. */
    Broadcast decodeBroadcast(byte[] message) {
        if (!(codec.decodeMsgpack(message) instanceof List<?> parts) || parts.size() < 3) {
            throw new MalformedMessageException("classic broadcast is not [uid, packet, opts]", "");
        }
        var event = WireValues.eventOf(parts.get(1), nsp);
        if (event == null) {
            return null;
        }
        String uid = parts.get(0) instanceof String text ? text : null;
        return new Broadcast(uid, event, WireValues.optsOf(parts.get(2)), null);
    }

    /** A request; null when it is for another namespace. */
    ClusterMessage decodeRequest(byte[] message) {
        Map<?, ?> body = map(message);
        String uid = WireValues.uidOf(body);
        int type = WireValues.intOf(body.get("type"), "type");
        return switch (type) {
            case SOCKETS -> new SocketIds(uid, WireValues.requestId(body), WireValues.strings(body.get("rooms")));
            case ALL_ROOMS -> new AllRooms(uid, WireValues.requestId(body));
            case REMOTE_JOIN -> new SocketsJoin(uid, WireValues.optsOf(body.get("opts")), WireValues.strings(body.get("rooms")));
            case REMOTE_LEAVE -> new SocketsLeave(uid, WireValues.optsOf(body.get("opts")), WireValues.strings(body.get("rooms")));
            case REMOTE_DISCONNECT -> new DisconnectSockets(uid, WireValues.optsOf(body.get("opts")), Boolean.TRUE.equals(body.get("close")));
            case REMOTE_FETCH -> new FetchSockets(uid, WireValues.requestId(body), WireValues.optsOf(body.get("opts")));
            case SERVER_SIDE_EMIT -> {
                if (!(body.get("data") instanceof List<?> data)) {
                    throw new MalformedMessageException("serverSideEmit without data", String.valueOf(body.get("data")));
                }
                yield new ServerSideEmit(uid, WireValues.optionalRequestId(body), new ArrayList<>(data));
            }
            case BROADCAST -> {
                var event = WireValues.eventOf(body.get("packet"), nsp);
                yield event == null ? null
                        : new Broadcast(uid, event, WireValues.optsOf(body.get("opts")), WireValues.requestId(body));
            }
            default -> throw new MalformedMessageException("unknown classic request type", Integer.toString(type));
        };
    }

    /** A response, recognised by its shape as Node's adapter writes them (they carry no uid). */
    ClusterMessage decodeResponse(byte[] message) {
        Map<?, ?> body = map(message);
        String requestId = WireValues.requestId(body);
        Object type = body.get("type");
        if (type == null && body.get("rooms") != null) {
            return new AllRoomsResponse(null, requestId, WireValues.strings(body.get("rooms")));
        }
        if (type == null && body.get("sockets") instanceof List<?> sockets) {
            if (!sockets.isEmpty() && sockets.get(0) instanceof String) {
                return new SocketIdsResponse(null, requestId, WireValues.strings(sockets));
            }
            return new FetchSocketsResponse(null, requestId, WireValues.sockets(sockets));
        }
        int code = WireValues.intOf(type, "type");
        return switch (code) {
            case SERVER_SIDE_EMIT -> new ServerSideEmitResponse(null, requestId, body.get("data"));
            case BROADCAST_CLIENT_COUNT -> new BroadcastClientCount(null, requestId, WireValues.intOf(body.get("clientCount"), "clientCount"));
            case BROADCAST_ACK -> new BroadcastAck(null, requestId, body.get("packet"));
            default -> throw new MalformedMessageException("unknown classic response type", Integer.toString(code));
        };
    }

    private Map<?, ?> map(byte[] message) {
        if (codec.decodeJsonOrMsgpack(message) instanceof Map<?, ?> body) {
            return body;
        }
        throw new MalformedMessageException("classic request is not an object", "");
    }
}
