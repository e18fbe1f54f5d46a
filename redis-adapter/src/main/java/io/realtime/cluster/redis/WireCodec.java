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
    /** Binary as {@code JSON.stringify} writes a Buffer, {@code {"type":"Buffer","data":[...]}}, not base64. */
    private final ObjectMapper json = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .registerModule(new com.fasterxml.jackson.databind.module.SimpleModule().addSerializer(byte[].class, new NodeBuffer()));
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
            return extensionValue(extension.getType(), extension.getData());
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

    /**
     * What notepack decodes an extension to, made plain: a {@code Date} (the timestamp extension, or type 0 in 8
     * bytes as older notepack wrote one) becomes the string {@code JSON.stringify} makes of it, which is what a
     * client of a Node node receives; type 0 in one byte was {@code undefined}, in any other size an
     * {@code ArrayBuffer}; any other extension has no plain value.
     */
    static Object extensionValue(byte type, byte[] data) {
        java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(data);
        if (type == -1) {
            return switch (data.length) {
                case 4 -> jsonDate((buffer.getInt() & 0xffffffffL) * 1000);
                case 8 -> {
                    long value = buffer.getLong();
                    yield jsonDate((value & 0x3ffffffffL) * 1000 + (value >>> 34) / 1_000_000);
                }
                case 12 -> {
                    long nanos = buffer.getInt() & 0xffffffffL;
                    long seconds = buffer.getLong();
                    long limit = JS_DATE_MAX_MILLIS / 1000;
                    yield seconds > limit || seconds < -limit ? null : jsonDate(seconds * 1000 + nanos / 1_000_000);
                }
                default -> null;
            };
        }
        if (type == 0) {
            return switch (data.length) {
                case 1 -> null;
                case 8 -> jsonDate(buffer.getLong());
                default -> data;
            };
        }
        return null;
    }

    /** The largest time a JavaScript {@code Date} holds, either side of 1970 (ECMA-262's time value range). */
    private static final long JS_DATE_MAX_MILLIS = 8_640_000_000_000_000L;
    private static final java.time.format.DateTimeFormatter JS_DATE = java.time.format.DateTimeFormatter
            .ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(java.time.ZoneOffset.UTC);
    private static final java.time.format.DateTimeFormatter JS_DATE_AFTER_YEAR = java.time.format.DateTimeFormatter
            .ofPattern("-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(java.time.ZoneOffset.UTC);

    /**
     * {@code Date.prototype.toJSON}: {@code 2024-06-01T12:00:00.000Z}, a six-digit signed year outside 0 to 9999;
     * null for a time no {@code Date} holds (JSON.stringify writes an invalid date as null).
     */
    static String jsonDate(long epochMillis) {
        if (Math.abs(epochMillis) > JS_DATE_MAX_MILLIS) {
            return null;
        }
        java.time.Instant instant = java.time.Instant.ofEpochMilli(epochMillis);
        int year = instant.atZone(java.time.ZoneOffset.UTC).getYear();
        if (year >= 0 && year <= 9999) {
            return JS_DATE.format(instant);
        }
        return (year < 0 ? "-" : "+") + String.format("%06d", Math.abs(year)) + JS_DATE_AFTER_YEAR.format(instant);
    }

    /** A {@code byte[]} written as Node's {@code Buffer.prototype.toJSON} shapes it. */
    private static final class NodeBuffer extends com.fasterxml.jackson.databind.ser.std.StdSerializer<byte[]> {
        NodeBuffer() {
            super(byte[].class);
        }

        @Override
        public void serialize(byte[] value, com.fasterxml.jackson.core.JsonGenerator out,
                              com.fasterxml.jackson.databind.SerializerProvider provider) throws IOException {
            out.writeStartObject();
            out.writeStringField("type", "Buffer");
            out.writeArrayFieldStart("data");
            for (byte b : value) {
                out.writeNumber(b & 0xff);
            }
            out.writeEndArray();
            out.writeEndObject();
        }
    }
}
