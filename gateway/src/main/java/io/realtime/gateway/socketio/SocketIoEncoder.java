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

import java.util.ArrayList;
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

    public SocketIoEncoder(ObjectMapper mapper) {
        this.mapper = mapper;
        this.trees = mapper.writerFor(JsonNode.class);
    }

    public List<EnginePacket> encode(Packet packet) {
        List<byte[]> attachments = new ArrayList<>();
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

    private List<EnginePacket> toEnginePackets(int type, String namespace, Long ackId, JsonNode payload, List<byte[]> attachments) {
        StringBuilder text = new StringBuilder().append(type);
        if (!attachments.isEmpty()) {
            text.append(attachments.size()).append('-');
        }
        if (!NamespaceNames.MAIN.equals(NamespaceNames.wire(namespace))) {
            text.append(namespace).append(',');
        }
        if (ackId != null) {
            text.append(ackId);
        }
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
