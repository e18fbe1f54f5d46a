package io.realtime.cluster.redis;

import io.realtime.cluster.core.ClusterMessage;
import io.realtime.cluster.core.ClusterMessage.Broadcast;
import io.realtime.cluster.core.ClusterMessage.FetchSockets;
import io.realtime.cluster.core.ClusterMessage.ServerSideEmit;
import io.realtime.cluster.core.MalformedMessageException;
import io.realtime.cluster.recovery.SessionState;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The wire format of {@code @socket.io/redis-streams-adapter} 0.3, which {@link StreamsTransport} reads and writes.
 *
 * <ul>
 *   <li>Stream entries ({@code XADD socket.io MAXLEN ~ n * uid … nsp … type … data …}): {@code type} the decimal code
 *       of socket.io-adapter's {@code MessageType}, {@code data} JSON text, or base64 msgpack when a message that may
 *       carry binary does.</li>
 *   <li>Ephemeral messages (broadcasts with acks, server-side emits, fetchSockets) and responses go over pub/sub as
 *       one msgpack object {@code {uid, nsp, type, data}}.</li>
 *   <li>Sessions ({@code sio:session:<pid>}): base64 msgpack of {@code {sid, pid, rooms, data}}.</li>
 *   <li>Offsets are stream entry ids, {@code <ms>-<seq>}; anything else is refused before it reaches Redis.</li>
 * </ul>
 * The message types and their {@code data} are the sharded adapter's (both are socket.io-adapter's
 * {@code ClusterAdapter}), so they come from {@link ShardedCodec}.
 */
final class StreamsCodec {

    private static final Pattern OFFSET = Pattern.compile("[0-9]{1,20}-[0-9]{1,20}");

    /** The field of an entry that holds the number its node gave it ({@link #entry(ClusterMessage, String)}). */
    static final String SEQ = "seq";

    private final WireCodec codec = new WireCodec();
    private final ShardedCodec messages;
    private final String nsp;

    StreamsCodec(String nsp) {
        this.nsp = nsp;
        this.messages = new ShardedCodec(nsp);
    }

    /** Whether the streams adapter sends {@code message} over pub/sub instead of the stream. */
    static boolean isEphemeral(ClusterMessage message) {
        return message instanceof Broadcast broadcast && broadcast.requestId() != null
                || message instanceof ServerSideEmit
                || message instanceof FetchSockets;
    }

    /** The fields of the stream entry that carries {@code message}, in the adapter's order. */
    Map<String, String> entry(ClusterMessage message) {
        return entry(message, null);
    }

    /**
     * The same, with {@code seq} (when not null) in a field of ours after the adapter's: the number this node gave
     * the entry, which tells it its own entries apart when it reads them back. The adapter reads only its own fields.
     */
    Map<String, String> entry(ClusterMessage message, String seq) {
        ShardedCodec.Body body = messages.body(message);
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("uid", message.uid());
        fields.put("nsp", nsp);
        fields.put("type", Integer.toString(body.type()));
        fields.put("data", mayContainBinary(body.type()) && body.hasBinary()
                ? Base64.getEncoder().encodeToString(codec.msgpack(body.data()))
                : new String(codec.json(body.data()), StandardCharsets.UTF_8));
        if (seq != null) {
            fields.put(SEQ, seq);
        }
        return fields;
    }

    /** The message of a stream entry; null for types this node has nothing to do with. */
    ClusterMessage fromEntry(Map<String, String> fields) {
        String uid = fields.get("uid");
        String type = fields.get("type");
        String data = fields.get("data");
        if (uid == null || type == null || !type.matches("[0-9]{1,3}")) {
            throw new MalformedMessageException("stream entry without uid or type", String.valueOf(fields.keySet()));
        }
        int kind = Integer.parseInt(type);
        if (kind == ShardedCodec.INITIAL_HEARTBEAT || kind == ShardedCodec.HEARTBEAT || kind == ShardedCodec.ADAPTER_CLOSE) {
            // A writer that heartbeats in the stream (socket.io-adapter's ClusterAdapterWithHeartbeat): nothing for us.
            return null;
        }
        if (data == null) {
            throw new MalformedMessageException("stream entry without data", String.valueOf(fields.keySet()));
        }
        Object decoded = data.startsWith("{")
                ? codec.decodeJsonOrMsgpack(data.getBytes(StandardCharsets.UTF_8))
                : codec.decodeMsgpack(base64(data));
        if (!(decoded instanceof Map<?, ?> map)) {
            throw new MalformedMessageException("stream entry data is not an object", data);
        }
        return messages.message(uid, kind, map);
    }

    /** A pub/sub message: msgpack of the whole message, as the streams adapter publishes it. */
    byte[] published(ClusterMessage message) {
        ShardedCodec.Body body = messages.body(message);
        Map<String, Object> whole = new LinkedHashMap<>();
        whole.put("uid", message.uid());
        whole.put("nsp", nsp);
        whole.put("type", body.type());
        whole.put("data", body.data());
        return codec.msgpack(whole);
    }

    /** Whether {@code offset} is a stream entry id (the adapter checks the same before it asks Redis). */
    static boolean isOffset(String offset) {
        if (offset == null || !OFFSET.matcher(offset).matches()) {
            return false;
        }
        // Twenty digits can still overflow: Redis would refuse the id (an error, not an unknown offset).
        int dash = offset.indexOf('-');
        try {
            Long.parseUnsignedLong(offset, 0, dash, 10);
            Long.parseUnsignedLong(offset, dash + 1, offset.length(), 10);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** The smallest entry id after {@code offset} (the adapter's {@code nextOffset}). */
    static String nextOffset(String offset) {
        int dash = offset.indexOf('-');
        return offset.substring(0, dash + 1) + (Long.parseLong(offset.substring(dash + 1)) + 1);
    }

    /** A session as the adapter stores it: base64 msgpack of {@code {sid, pid, rooms, data}}. */
    String session(SessionState session, Object data) {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("sid", session.sid());
        value.put("pid", session.pid());
        value.put("rooms", session.rooms());
        value.put("data", data == null ? Map.of() : data);
        return Base64.getEncoder().encodeToString(codec.msgpack(value));
    }

    /**
     * A session as the adapter stores it, {@code data} from the attribute {@code dataKey}; the socket's other kept
     * attributes (plain values) ride along under {@code kept}, a key socket.io ignores.
     */
    String session(SessionState session, String dataKey) {
        return session(session, dataKey, null);
    }

    /**
     * As {@link #session(SessionState, String)}; {@code owner} (the liveness channel of the node where the socket is
     * connected now, null once it is not) rides along too, so a node asked to restore it can tell whether its
     * socket may still be alive.
     */
    String session(SessionState session, String dataKey, String owner) {
        Map<String, Object> value = new LinkedHashMap<>();
        // First, followed by sid: the record then starts with what ownedPrefix tells.
        if (owner != null) {
            value.put("owner", owner);
        }
        value.put("sid", session.sid());
        value.put("pid", session.pid());
        value.put("rooms", session.rooms());
        // socket.io restores socket.data as it is stored: a socket that set none has {} there, never null.
        Object data = session.attributes().get(dataKey);
        value.put("data", data == null ? Map.of() : data);
        Map<String, Object> kept = new LinkedHashMap<>(session.attributes());
        kept.remove(dataKey);
        if (!kept.isEmpty()) {
            value.put("kept", kept);
        }
        return Base64.getEncoder().encodeToString(codec.msgpack(value));
    }

    /**
     * What every session written with {@code owner} ({@link #session(SessionState, String, String)}) reads from its
     * fifth character on, and no session written with another owner or none does: so that Redis can tell a record
     * of this node's by comparing strings rather than decoding it. The first four characters are left out: they
     * encode the map's size. The record's bytes {@code {owner: <owner>, sid: ...}} are the same for every session of
     * one owner up to the sid's value; the prefix is the base64 of its whole 3-byte groups after the first, up to
     * there, which cover the owner's last byte (the sid key's four bytes follow it).
     */
    String ownedPrefix(String owner) {
        Map<String, Object> head = new LinkedHashMap<>();
        head.put("owner", owner);
        head.put("sid", "");
        byte[] bytes = codec.msgpack(head);
        // Without the empty sid's one byte: up to the sid key, the same in every record of this owner.
        int known = bytes.length - 1;
        int groups = (known - 3) / 3;
        return Base64.getEncoder().encodeToString(java.util.Arrays.copyOfRange(bytes, 3, 3 + 3 * groups));
    }

    /** The owner a stored session names (its socket was connected there when it was written); null when none. */
    String ownerOf(String stored) {
        return codec.decodeMsgpack(base64(stored)) instanceof Map<?, ?> map && map.get("owner") instanceof String owner
                ? owner : null;
    }

    /** A stored session, with socket.io's {@code data} (whatever the writer kept there) as its one attribute. */
    SessionState sessionOf(String stored, String dataKey) {
        if (!(codec.decodeMsgpack(base64(stored)) instanceof Map<?, ?> map)
                || !(map.get("sid") instanceof String sid) || !(map.get("pid") instanceof String pid)
                || !(map.get("rooms") instanceof List<?> rooms)) {
            throw new MalformedMessageException("stored session is not {sid, pid, rooms, data}", stored);
        }
        List<String> names = new ArrayList<>();
        for (Object room : rooms) {
            if (room instanceof String name) {
                names.add(name);
            }
        }
        Map<String, Object> attributes = new LinkedHashMap<>();
        if (map.get("kept") instanceof Map<?, ?> kept) {
            kept.forEach((key, value) -> {
                if (key instanceof String name && value != null) {
                    attributes.put(name, value);
                }
            });
        }
        Object data = map.get("data");
        if (data != null) {
            attributes.put(dataKey, data);
        }
        return new SessionState(sid, pid, names, attributes);
    }

    private static boolean mayContainBinary(int type) {
        return type == ShardedCodec.BROADCAST || type == ShardedCodec.FETCH_SOCKETS_RESPONSE
                || type == ShardedCodec.SERVER_SIDE_EMIT || type == ShardedCodec.SERVER_SIDE_EMIT_RESPONSE
                || type == ShardedCodec.BROADCAST_ACK;
    }

    private static byte[] base64(String text) {
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new MalformedMessageException("invalid base64", e.getMessage());
        }
    }
}
