package io.realtime.cluster.redis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.realtime.cluster.core.MalformedMessageException;
import org.msgpack.jackson.dataformat.MessagePackExtensionType;
import org.msgpack.jackson.dataformat.MessagePackFactory;

import java.io.IOException;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;

/**
 * msgpack (as notepack writes it) and JSON, the two encodings of Node's Redis adapters. Decoded values are plain
 * Java: maps, lists, strings, numbers, booleans, null and {@code byte[]}; what cannot be decoded is a
 * {@link MalformedMessageException}.
 */
final class WireCodec {

    private final ObjectMapper msgpack = new ObjectMapper(new MessagePackFactory())
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
    private final ObjectMapper json = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
    // Made once: the mapper's readValue(bytes, type) resolves the type's deserializer at every call.
    private final ObjectReader msgpackValues = msgpack.readerFor(Object.class);
    private final ObjectReader jsonValues = json.readerFor(Object.class);

    byte[] msgpack(Object value) {
        try {
            return msgpack.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot encode as msgpack: " + e.getMessage(), e);
        }
    }

    byte[] json(Object value) {
        try {
            return json.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot encode as JSON: " + e.getMessage(), e);
        }
    }

    /** JSON when it starts with '{', msgpack otherwise (as Node's adapters tell them apart). */
    Object decodeJsonOrMsgpack(byte[] message) {
        if (message.length > 0 && message[0] == '{') {
            try {
                return jsonValues.readValue(message);
            } catch (IOException e) {
                throw new MalformedMessageException("invalid JSON", e.getMessage());
            }
        }
        return decodeMsgpack(message);
    }

    Object decodeMsgpack(byte[] message) {
        try {
            return plain(msgpackValues.readValue(message), 0);
        } catch (IOException | RuntimeException e) {
            throw new MalformedMessageException("invalid msgpack", e.getMessage());
        }
    }

    /**
     * How deep a msgpack message may nest, as deep as Jackson reads JSON ({@code StreamReadConstraints}' default):
     * the msgpack parser sets no limit, and a message of a few hundred kilobytes of nested arrays would otherwise
     * overflow the stack of the thread that reads Redis, and stop its delivery for good.
     */
    static final int MAX_DEPTH = 1000;

    /**
     * notepack's extension values (dates, undefined in older versions) become plain values, in place: Jackson's
     * untyped values are mutable {@code LinkedHashMap}s and {@code ArrayList}s, and a message seldom holds any.
     */
    @SuppressWarnings("unchecked")
    private static Object plain(Object value, int depth) {
        if (depth > MAX_DEPTH && (value instanceof Map<?, ?> || value instanceof List<?>)) {
            throw new MalformedMessageException("invalid msgpack", "nested deeper than " + MAX_DEPTH + " levels");
        }
        if (value instanceof MessagePackExtensionType extension) {
            return extension.getType() == -1 ? timestampMillis(extension.getData()) : null;
        }
        if (value instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                Object item = entry.getValue();
                Object plainItem = plain(item, depth + 1);
                if (plainItem != item) {
                    ((Map.Entry<Object, Object>) entry).setValue(plainItem);
                }
            }
        } else if (value instanceof List<?> list) {
            ListIterator<Object> items = (ListIterator<Object>) list.listIterator();
            while (items.hasNext()) {
                Object item = items.next();
                Object plainItem = plain(item, depth + 1);
                if (plainItem != item) {
                    items.set(plainItem);
                }
            }
        }
        return value;
    }

    private static Object timestampMillis(byte[] data) {
        java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(data);
        if (data.length == 4) {
            return (buffer.getInt() & 0xffffffffL) * 1000;
        }
        if (data.length == 8) {
            long value = buffer.getLong();
            return (value & 0x3ffffffffL) * 1000 + (value >>> 34) / 1_000_000;
        }
        return null;
    }
}
