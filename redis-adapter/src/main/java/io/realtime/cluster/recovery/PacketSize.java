package io.realtime.cluster.recovery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.BinaryNode;
import com.fasterxml.jackson.databind.node.POJONode;

import io.realtime.cluster.ClusterPacket;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.Array;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.Map;

/**
 * An estimate of the heap a logged packet keeps alive, erring high: the log holds the packet's arguments as the
 * application gave them (maps, lists, strings, {@code byte[]}, Jackson trees, or its own objects), not their
 * encoding, so that is what is counted. Characters count two bytes (a string's heap, whatever its coder), every
 * object and map entry a header and its references.
 */
final class PacketSize {

    /** The log's entry, the packet, its argument list and its offset: what every logged packet takes besides. */
    static final long ENTRY = 256;
    /** A value's header, fields and the reference to it. */
    private static final long OBJECT = 32;
    /** A map entry's node and its slot in the table. */
    private static final long MAP_ENTRY = 48;
    private static final long REFERENCE = 8;
    /** For the application's own objects: what the server would write of them is what they hold. */
    private static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    private PacketSize() {
    }

    /**
     * The estimate, counted until it exceeds {@code limit} (a packet past the log's whole budget is not kept, so
     * no more is looked at: a huge or cyclic structure costs no more than the budget's worth of counting).
     */
    static long estimate(ClusterPacket packet, long limit) {
        long size = ENTRY + text(packet.event());
        // A stack, not recursion: an argument nested thousands deep must not overflow the caller's stack.
        Deque<Object> pending = new ArrayDeque<>();
        for (Object arg : packet.args()) {
            size += push(pending, arg);
        }
        while (!pending.isEmpty() && size <= limit) {
            size += own(pending.pop(), pending, limit - size);
        }
        return size;
    }

    /** {@code null} takes its reference only (and the stack holds no nulls). */
    private static long push(Deque<Object> pending, Object value) {
        if (value != null) {
            pending.push(value);
        }
        return REFERENCE;
    }

    /** What {@code value} takes itself; what it holds goes on {@code pending}. */
    private static long own(Object value, Deque<Object> pending, long room) {
        if (value instanceof CharSequence text) {
            return text(text);
        }
        if (value instanceof byte[] bytes) {
            return OBJECT + bytes.length;
        }
        if (value instanceof JsonNode node) {
            return node(node, pending);
        }
        if (value instanceof Map<?, ?> map) {
            long size = OBJECT;
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                size += MAP_ENTRY + push(pending, entry.getKey()) + push(pending, entry.getValue());
            }
            return size;
        }
        if (value instanceof Collection<?> items) {
            long size = OBJECT;
            for (Object item : items) {
                size += push(pending, item);
            }
            return size;
        }
        if (value instanceof Object[] array) {
            long size = OBJECT;
            for (Object item : array) {
                size += push(pending, item);
            }
            return size;
        }
        if (value.getClass().isArray()) {
            return OBJECT + 8L * Array.getLength(value);
        }
        if (value instanceof Number || value instanceof Boolean || value instanceof Character || value instanceof Enum<?>) {
            return OBJECT;
        }
        return serialized(value, room);
    }

    private static long text(CharSequence text) {
        return OBJECT + 2L * text.length();
    }

    private static long node(JsonNode node, Deque<Object> pending) {
        if (node.isTextual()) {
            return text(node.textValue());
        }
        if (node instanceof BinaryNode binary) {
            return OBJECT + binary.binaryValue().length;
        }
        if (node instanceof POJONode pojo) {
            return OBJECT + push(pending, pojo.getPojo());
        }
        long size = OBJECT;
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> property : node.properties()) {
                size += MAP_ENTRY + push(pending, property.getKey()) + push(pending, property.getValue());
            }
        } else if (node.isArray()) {
            for (JsonNode item : node) {
                size += push(pending, item);
            }
        }
        return size;
    }

    /**
     * Twice the bytes of its JSON (two per character, as for strings), written nowhere and given up past
     * {@code room}; an object Jackson cannot write counts by its {@code toString()}.
     */
    private static long serialized(Object value, long room) {
        Counter counter = new Counter(room);
        try {
            JSON.writeValue(counter, value);
        } catch (IOException | RuntimeException e) {
            if (!counter.full) {
                return text(String.valueOf(value));
            }
        }
        return OBJECT + 2 * counter.count;
    }

    private static final class Counter extends OutputStream {
        private final long room;
        private long count;
        private boolean full;

        Counter(long room) {
            this.room = room;
        }

        @Override
        public void write(int b) throws IOException {
            write(null, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            count += len;
            if (2 * count > room) {
                full = true;
                throw new IOException("past the log's budget");
            }
        }
    }
}
