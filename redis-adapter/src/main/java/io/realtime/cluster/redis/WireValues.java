package io.realtime.cluster.redis;

import io.realtime.cluster.BroadcastOptions;
import io.realtime.cluster.ClusterPacket;
import io.realtime.cluster.SocketDetails;
import io.realtime.cluster.core.MalformedMessageException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The values both Redis protocols share: socket.io packets, broadcast options, remote sockets. */
final class WireValues {

    private WireValues() {
    }

    /** socket.io's event packet {@code {type: 2, data: [event, ...args], nsp}}. */
    static Map<String, Object> packet(ClusterPacket packet, String nsp) {
        List<Object> data = new ArrayList<>(packet.args().size() + 1);
        data.add(packet.event());
        data.addAll(packet.args());
        Map<String, Object> wire = new LinkedHashMap<>();
        wire.put("type", 2);
        wire.put("data", data);
        wire.put("nsp", nsp);
        return wire;
    }

    /** {@code {rooms, except, flags}} as socket.io-adapter's {@code encodeOptions}. */
    static Map<String, Object> opts(BroadcastOptions opts) {
        Map<String, Object> flags = new LinkedHashMap<>();
        if (opts.volatile_()) {
            flags.put("volatile", true);
        }
        if (opts.timeout() != null) {
            flags.put("timeout", opts.timeout().toMillis());
        }
        Map<String, Object> wire = filter(opts);
        wire.put("flags", flags);
        return wire;
    }

    static Map<String, Object> filter(BroadcastOptions opts) {
        Map<String, Object> wire = new LinkedHashMap<>();
        wire.put("rooms", List.copyOf(opts.rooms()));
        wire.put("except", List.copyOf(opts.except()));
        return wire;
    }

    static BroadcastOptions optsOf(Object value) {
        if (!(value instanceof Map<?, ?> wire)) {
            throw new MalformedMessageException("missing opts", String.valueOf(value));
        }
        Map<?, ?> flags = wire.get("flags") instanceof Map<?, ?> map ? map : Map.of();
        Object timeout = flags.get("timeout");
        return new BroadcastOptions(strings(wire.get("rooms")), strings(wire.get("except")), false,
                Boolean.TRUE.equals(flags.get("volatile")),
                timeout instanceof Number millis ? Duration.ofMillis(millis.longValue()) : null);
    }

    /** The event of a socket.io packet, or null when the packet is for another namespace. */
    static ClusterPacket eventOf(Object value, String nsp) {
        if (!(value instanceof Map<?, ?> packet)) {
            throw new MalformedMessageException("packet is not a map", String.valueOf(value));
        }
        // A packet that names no namespace is for "/", as Node's adapter reads it (older emitters leave it out).
        Object packetNsp = packet.get("nsp");
        if (!nsp.equals(packetNsp == null ? "/" : packetNsp)) {
            return null;
        }
        if (packet.get("data") instanceof List<?> list && !list.isEmpty() && list.get(0) instanceof String event && !event.isEmpty()) {
            return new ClusterPacket(event, new ArrayList<>(list.subList(1, list.size())));
        }
        throw new MalformedMessageException("packet without an event name", String.valueOf(packet.get("data")));
    }

    @SuppressWarnings("unchecked")
    static List<SocketDetails> sockets(Object value) {
        if (!(value instanceof List<?> list)) {
            throw new MalformedMessageException("sockets is not a list", String.valueOf(value));
        }
        List<SocketDetails> sockets = new ArrayList<>(list.size());
        for (Object item : list) {
            if (!(item instanceof Map<?, ?> remote) || !(remote.get("id") instanceof String id)) {
                throw new MalformedMessageException("socket without an id", String.valueOf(item));
            }
            Map<String, Object> handshake = remote.get("handshake") instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
            sockets.add(new SocketDetails(id, handshake, strings(remote.get("rooms")), remote.get("data")));
        }
        return sockets;
    }

    static Set<String> strings(Object value) {
        Set<String> strings = new LinkedHashSet<>();
        if (value instanceof Collection<?> items) {
            items.forEach(item -> strings.add(String.valueOf(item)));
        }
        return strings;
    }

    static String requestId(Map<?, ?> body) {
        Object id = body.get("requestId");
        if (id instanceof String text) {
            return text;
        }
        if (id instanceof Number number) {
            return number.toString();
        }
        throw new MalformedMessageException("missing requestId", String.valueOf(id));
    }

    static String optionalRequestId(Map<?, ?> body) {
        return body.get("requestId") == null ? null : requestId(body);
    }

    static int intOf(Object value, String what) {
        if (value instanceof Number number) {
            return number.intValue();
        }
        throw new MalformedMessageException("missing " + what, String.valueOf(value));
    }

    static String uidOf(Map<?, ?> body) {
        return body.get("uid") instanceof String uid ? uid : null;
    }

    /** Whether a value holds binary anywhere (then msgpack, as Node's {@code hasBinary}). */
    static boolean hasBinary(Object value) {
        if (value instanceof byte[]) {
            return true;
        }
        if (value instanceof Collection<?> items) {
            return items.stream().anyMatch(WireValues::hasBinary);
        }
        if (value instanceof Map<?, ?> map) {
            return map.values().stream().anyMatch(WireValues::hasBinary);
        }
        if (value instanceof ClusterPacket packet) {
            return hasBinary(packet.args());
        }
        return value instanceof Object[] array && hasBinary(java.util.Arrays.asList(array));
    }
}
