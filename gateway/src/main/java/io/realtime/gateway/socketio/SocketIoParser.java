package io.realtime.gateway.socketio;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BinaryNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decodes the Socket.IO packets of one connection, following socket.io-parser v4 (protocol v5): the same accepted
 * syntax, the same payload checks, and binary packets reassembled from their attachments. Not thread-safe: one
 * instance per connection, used on its event loop.
 */
public final class SocketIoParser {

    private static final Set<String> RESERVED_EVENTS =
            Set.of("connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener");
    private static final int MAX_ACK_ID_DIGITS = 15;

    private final ObjectReader trees;
    private final int maxAttachments;
    private final long maxPacketBytes;

    private SocketIoPacket pending;
    private List<byte[]> attachments;
    /** What the packet being reassembled holds so far: its text and the attachments come. */
    private long pendingBytes;

    /**
     * @param trees          a reader of {@code JsonNode}s ({@link GatewayJsonSupport#trees()})
     * @param maxPacketBytes the most one binary packet may hold, its text and attachments together: each message is
     *                       bounded by itself, but a packet waiting for attachments would grow by up to
     *                       {@code maxAttachments} of them and never end
     */
    public SocketIoParser(ObjectReader trees, int maxAttachments, long maxPacketBytes) {
        this.trees = trees;
        this.maxAttachments = maxAttachments;
        this.maxPacketBytes = maxPacketBytes;
    }

    /** Decodes a text message; returns {@code null} when it announces attachments that are still to come. */
    public SocketIoPacket onText(String text) {
        if (pending != null) {
            throw new SocketIoProtocolException("got plaintext data when reconstructing a packet");
        }
        SocketIoPacket packet = decode(text);
        if (packet.attachments() > 0) {
            pending = packet;
            attachments = new ArrayList<>(packet.attachments());
            pendingBytes = text.length();
            return null;
        }
        return packet;
    }

    /** Takes one binary attachment; returns the packet once its last attachment has arrived. */
    public SocketIoPacket onBinary(byte[] data) {
        if (pending == null) {
            throw new SocketIoProtocolException("got binary data when not reconstructing a packet");
        }
        pendingBytes += data.length;
        if (pendingBytes > maxPacketBytes) {
            throw new SocketIoProtocolException("binary packet larger than " + maxPacketBytes + " bytes with its attachments");
        }
        attachments.add(data);
        if (attachments.size() < pending.attachments()) {
            return null;
        }
        SocketIoPacket complete = pending.withData(fillPlaceholders(pending.data(), attachments));
        pending = null;
        attachments = null;
        return complete;
    }

    SocketIoPacket decode(String text) {
        if (text.isEmpty()) {
            throw new SocketIoProtocolException("empty packet");
        }
        int type = text.charAt(0) - '0';
        if (type < SocketIoPacket.CONNECT || type > SocketIoPacket.BINARY_ACK) {
            throw new SocketIoProtocolException("unknown packet type " + text.charAt(0));
        }
        int i = 1;
        int attachmentCount = 0;
        if (type == SocketIoPacket.BINARY_EVENT || type == SocketIoPacket.BINARY_ACK) {
            int dash = text.indexOf('-', i);
            if (dash <= i || dash - i > 3 || !isDigits(text, i, dash)) {
                throw new SocketIoProtocolException("illegal attachments");
            }
            attachmentCount = Integer.parseInt(text.substring(i, dash));
            // socket.io-parser: a binary packet has at least one attachment ("Illegal attachments").
            if (attachmentCount < 1) {
                throw new SocketIoProtocolException("illegal attachments");
            }
            if (attachmentCount > maxAttachments) {
                throw new SocketIoProtocolException("too many attachments: " + attachmentCount);
            }
            i = dash + 1;
        }
        String namespace = NamespaceNames.MAIN;
        if (i < text.length() && text.charAt(i) == '/') {
            int comma = text.indexOf(',', i);
            int end = comma < 0 ? text.length() : comma;
            namespace = text.substring(i, end);
            i = comma < 0 ? text.length() : comma + 1;
        }
        Long ackId = null;
        int digitsStart = i;
        while (i < text.length() && Character.isDigit(text.charAt(i))) {
            i++;
        }
        if (i > digitsStart) {
            if (i - digitsStart > MAX_ACK_ID_DIGITS) {
                throw new SocketIoProtocolException("ack id too long");
            }
            ackId = Long.parseLong(text.substring(digitsStart, i));
        }
        JsonNode data = null;
        if (i < text.length()) {
            try {
                data = trees.readTree(text.substring(i));
            } catch (JsonProcessingException e) {
                throw new SocketIoProtocolException("invalid payload");
            }
        }
        if (!isPayloadValid(type, data)) {
            throw new SocketIoProtocolException("invalid payload for packet type " + type);
        }
        if (data == null && (type == SocketIoPacket.ACK || type == SocketIoPacket.BINARY_ACK)) {
            // An ack without arguments: socket.io calls its callback with none.
            data = trees.createArrayNode();
        }
        return new SocketIoPacket(type, namespace, ackId, data, attachmentCount);
    }

    private static boolean isPayloadValid(int type, JsonNode data) {
        return switch (type) {
            case SocketIoPacket.CONNECT -> data == null || data.isObject();
            case SocketIoPacket.DISCONNECT -> data == null;
            case SocketIoPacket.CONNECT_ERROR -> data != null && (data.isTextual() || data.isObject());
            case SocketIoPacket.EVENT, SocketIoPacket.BINARY_EVENT -> data != null && data.isArray() && !data.isEmpty()
                    && (data.get(0).isNumber() || data.get(0).isTextual() && !RESERVED_EVENTS.contains(data.get(0).asText()));
            // socket.io-parser checks a payload only where there is one: "3/chat,12" is an ack without arguments.
            // One without an id is valid too: it matches no request, and socket.io ignores it.
            case SocketIoPacket.ACK, SocketIoPacket.BINARY_ACK -> data == null || data.isArray();
            default -> false;
        };
    }

    private static JsonNode fillPlaceholders(JsonNode node, List<byte[]> attachments) {
        if (node instanceof ObjectNode object) {
            JsonNode marker = object.get("_placeholder");
            // socket.io-parser's _reconstructPacket: a placeholder is "_placeholder": true, nothing that reads as true
            // (1, "true"); any other object is the application's and passes as it is. Its "num" must be an index.
            if (marker != null && marker.isBoolean() && marker.booleanValue()) {
                JsonNode num = object.get("num");
                if (num == null || !num.isIntegralNumber() || !num.canConvertToInt() || num.asInt() < 0
                        || num.asInt() >= attachments.size()) {
                    throw new SocketIoProtocolException("illegal attachments");
                }
                return BinaryNode.valueOf(attachments.get(num.asInt()));
            }
            Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                field.setValue(fillPlaceholders(field.getValue(), attachments));
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                array.set(i, fillPlaceholders(array.get(i), attachments));
            }
        }
        return node;
    }

    private static boolean isDigits(String text, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!Character.isDigit(text.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
