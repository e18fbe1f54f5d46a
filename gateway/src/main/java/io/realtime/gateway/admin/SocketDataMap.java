package io.realtime.gateway.admin;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A socket's {@code data} once it carries the {@code _admin} entry: read by other threads (a {@code fetchSockets}
 * answer is encoded off the socket's event loop) while the application may still write it, so it is a
 * {@link ConcurrentHashMap} underneath (weakly consistent iteration, no {@code ConcurrentModificationException}),
 * but it takes null values as socket.io's {@code socket.data} object does: a plain ConcurrentHashMap dropped them
 * when the data was copied in and threw on a later {@code put(key, null)}. Null keys are refused. A change of its
 * entries (not of the values inside them) is told to its {@link #onChange} listener, as socket.io's Admin UI hears a
 * write to {@code socket.data}.
 */
final class SocketDataMap extends AbstractMap<String, Object> {

    /** Stands for a null value in the map underneath, which takes none. */
    private static final Object NULL = new Object();

    private final ConcurrentHashMap<String, Object> values = new ConcurrentHashMap<>();
    private volatile Runnable onChange = () -> { };

    /** Who hears each later change of the entries, on the thread that makes it. */
    void onChange(Runnable listener) {
        this.onChange = listener;
    }

    private <T> T changed(T result) {
        onChange.run();
        return result;
    }

    private static Object wrap(Object value) {
        return value == null ? NULL : value;
    }

    private static Object unwrap(Object stored) {
        return stored == NULL ? null : stored;
    }

    @Override
    public Object get(Object key) {
        return key == null ? null : unwrap(values.get(key));
    }

    @Override
    public boolean containsKey(Object key) {
        return key != null && values.containsKey(key);
    }

    @Override
    public Object put(String key, Object value) {
        return changed(unwrap(values.put(key, wrap(value))));
    }

    @Override
    public Object remove(Object key) {
        Object removed = key == null ? null : values.remove(key);
        return removed == null ? null : changed(unwrap(removed));
    }

    @Override
    public int size() {
        return values.size();
    }

    @Override
    public void clear() {
        values.clear();
        onChange.run();
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Entry<String, Object>> iterator() {
                Iterator<Entry<String, Object>> stored = values.entrySet().iterator();
                return new Iterator<>() {
                    @Override
                    public boolean hasNext() {
                        return stored.hasNext();
                    }

                    @Override
                    public Entry<String, Object> next() {
                        Entry<String, Object> entry = stored.next();
                        return new WriteThroughEntry(entry.getKey(), unwrap(entry.getValue()));
                    }

                    @Override
                    public void remove() {
                        stored.remove();
                        onChange.run();
                    }
                };
            }

            @Override
            public int size() {
                return values.size();
            }
        };
    }

    /** An entry whose setValue writes to the map, as a Map's entries do. */
    private final class WriteThroughEntry extends SimpleEntry<String, Object> {

        WriteThroughEntry(String key, Object value) {
            super(key, value);
        }

        @Override
        public Object setValue(Object value) {
            super.setValue(value);
            return put(getKey(), value);
        }
    }

    /** A copy of {@code map}'s entries, null values included, keys as strings; null keys are left out. */
    static SocketDataMap copyOf(Map<?, ?> map) {
        SocketDataMap copy = new SocketDataMap();
        map.forEach((key, value) -> {
            if (key != null) {
                copy.put(String.valueOf(key), value);
            }
        });
        return copy;
    }
}
