package io.realtime.gateway.socketio;

import com.corundumstudio.socketio.protocol.Packet;
import com.corundumstudio.socketio.protocol.PacketType;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BinaryNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.realtime.gateway.engineio.EnginePacket;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Encodes netty-socketio {@link Packet}s as Socket.IO v5 text, as socket.io-parser does: binary values
 * ({@code byte[]}, {@code ByteBuffer}) anywhere in the arguments become placeholders and travel as separate binary
 * Engine.IO messages, and the packet becomes a BINARY_EVENT or BINARY_ACK. Thread-safe.
 */
public final class SocketIoEncoder {

    private final ObjectMapper mapper;
    /** Writes trees with their serializer found once, where the mapper's {@code writeValueAsString} looks it up per call. */
    private final ObjectWriter trees;
    /** Writes the arguments of an event or ack that holds no binary, straight from the values. */
    private final ObjectWriter values;

    public SocketIoEncoder(ObjectMapper mapper) {
        this.mapper = mapper;
        this.trees = mapper.writerFor(JsonNode.class);
        this.values = mapper.writer();
    }

    public List<EnginePacket> encode(Packet packet) {
        List<byte[]> attachments = List.of();
        int type;
        JsonNode payload = null;
        PacketType subType = packet.getSubType();
        switch (subType) {
            case CONNECT -> {
                type = SocketIoPacket.CONNECT;
                payload = packet.getData() == null ? null : mapper.valueToTree(packet.getData());
            }
            case DISCONNECT -> type = SocketIoPacket.DISCONNECT;
            case ERROR -> {
                type = SocketIoPacket.CONNECT_ERROR;
                payload = mapper.valueToTree(packet.getData());
            }
            case EVENT, BINARY_EVENT, ACK, BINARY_ACK -> {
                boolean event = subType == PacketType.EVENT || subType == PacketType.BINARY_EVENT;
                if (isPlain(packet.getData(), 0)) {
                    return plainArguments(event, packet);
                }
                attachments = new ArrayList<>();
                ArrayNode args = JsonNodeFactory.instance.arrayNode();
                if (event) {
                    args.add(packet.getName());
                }
                List<?> data = packet.getData();
                if (data != null) {
                    for (Object arg : data) {
                        args.add(extractBinary(toTree(arg), attachments));
                    }
                }
                payload = args;
                if (attachments.isEmpty()) {
                    type = event ? SocketIoPacket.EVENT : SocketIoPacket.ACK;
                } else {
                    type = event ? SocketIoPacket.BINARY_EVENT : SocketIoPacket.BINARY_ACK;
                }
            }
            default -> throw new IllegalArgumentException("not a Socket.IO packet: " + subType);
        }
        return toEnginePackets(type, packet.getNsp(), packet.getAckId(), payload, attachments);
    }

    /**
     * An event or ack whose arguments hold no binary and nothing but JSON's own kinds of value, as every broadcast read
     * from Redis and most emits do: written as they are, where the general path first copies them into a tree (a
     * serialization and a parse) to find and replace the binary in it.
     */
    private List<EnginePacket> plainArguments(boolean event, Packet packet) {
        List<?> data = packet.getData();
        List<Object> args = new ArrayList<>((data == null ? 0 : data.size()) + 1);
        if (event) {
            args.add(packet.getName());
        }
        if (data != null) {
            args.addAll(data);
        }
        StringBuilder text = header(event ? SocketIoPacket.EVENT : SocketIoPacket.ACK, packet.getNsp(), packet.getAckId(), 0);
        try {
            text.append(values.writeValueAsString(args));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("payload cannot be written as JSON", e);
        }
        return List.of(EnginePacket.message(text.toString()));
    }

    /**
     * Whether a value is null, a string, a boolean, a number of the JDK's whole or binary floating kinds, a list or map
     * (string keys) of such values, or a tree without binary: what is written the same from the value as from its tree.
     * Anything else (binary, records, beans, other numbers), and nesting deeper than a payload may be read, takes the
     * general path.
     */
    private static boolean isPlain(Object value, int depth) {
        if (value == null || value instanceof String || value instanceof Boolean || value instanceof Integer
                || value instanceof Long || value instanceof Double || value instanceof Float || value instanceof Short
                || value instanceof Byte || value instanceof BigInteger) {
            return true;
        }
        if (depth >= SocketIoJson.MAX_NESTING_DEPTH) {
            return false;
        }
        if (value instanceof JsonNode node) {
            return isPlainJson(node);
        }
        if (value instanceof Collection<?> list) {
            if (!(list instanceof List<?>)) {
                return false;
            }
            for (Object element : list) {
                if (!isPlain(element, depth + 1)) {
                    return false;
                }
            }
            return true;
        }
        if (value instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                if (!(entry.getKey() instanceof String) || !isPlain(entry.getValue(), depth + 1)) {
                    return false;
                }
            }
            return true;
        }
        return false;
    }

    private static StringBuilder header(int type, String namespace, Long ackId, int attachments) {
        StringBuilder text = new StringBuilder().append(type);
        if (attachments > 0) {
            text.append(attachments).append('-');
        }
        if (!NamespaceNames.MAIN.equals(NamespaceNames.wire(namespace))) {
            text.append(namespace).append(',');
        }
        if (ackId != null) {
            text.append(ackId);
        }
        return text;
    }

    private List<EnginePacket> toEnginePackets(int type, String namespace, Long ackId, JsonNode payload, List<byte[]> attachments) {
        StringBuilder text = header(type, namespace, ackId, attachments.size());
        if (payload != null) {
            try {
                text.append(trees.writeValueAsString(payload));
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("payload cannot be written as JSON", e);
            }
        }
        List<EnginePacket> packets = new ArrayList<>(1 + attachments.size());
        packets.add(EnginePacket.message(text.toString()));
        for (byte[] attachment : attachments) {
            packets.add(EnginePacket.binaryMessage(attachment));
        }
        return packets;
    }

    /**
     * An argument as a tree. One that already is (an echo of what a client sent) is used as it is, rather than copied
     * through a token buffer as Jackson does; one holding binary (which the placeholders replace) or plain objects is
     * converted as any other value, so that the caller's tree is never changed.
     */
    private JsonNode toTree(Object arg) {
        if (arg instanceof JsonNode node && isPlainJson(node)) {
            return node;
        }
        return mapper.valueToTree(arg);
    }

    private static boolean isPlainJson(JsonNode node) {
        if (node.isBinary() || node.isPojo()) {
            return false;
        }
        if (node.isContainerNode()) {
            for (JsonNode child : node) {
                if (!isPlainJson(child)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static JsonNode extractBinary(JsonNode node, List<byte[]> attachments) {
        if (node instanceof BinaryNode binary) {
            ObjectNode placeholder = JsonNodeFactory.instance.objectNode();
            placeholder.put("_placeholder", true);
            placeholder.put("num", attachments.size());
            attachments.add(binary.binaryValue());
            return placeholder;
        }
        if (node instanceof ObjectNode object) {
            Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                field.setValue(extractBinary(field.getValue(), attachments));
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                array.set(i, extractBinary(array.get(i), attachments));
            }
        }
        return node;
    }
}
