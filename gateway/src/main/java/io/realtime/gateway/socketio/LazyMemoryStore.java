package io.realtime.gateway.socketio;

import com.corundumstudio.socketio.store.MemoryStoreFactory;
import com.corundumstudio.socketio.store.Store;
import com.corundumstudio.socketio.store.StoreFactory;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * netty-socketio's in-memory store of a connection ({@code socket.data}), with its map made at the first value:
 * most connections never set one, and {@code MemoryStore}'s empty map costs each connection 80 bytes.
 * Same semantics otherwise: a concurrent map (no null keys or values).
 */
final class LazyMemoryStore implements Store {

    /** The store factory a connection is built with: this store for netty-socketio's memory stores. */
    static StoreFactory factoryFor(StoreFactory configured) {
        return configured.getClass() == MemoryStoreFactory.class ? Factory.INSTANCE : configured;
    }

    private volatile Map<String, Object> values;

    @Override
    public void set(String key, Object value) {
        Map<String, Object> known = values;
        if (known == null) {
            synchronized (this) {
                known = values;
                if (known == null) {
                    known = new ConcurrentHashMap<>(4);
                    values = known;
                }
            }
        }
        known.put(key, value);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T get(String key) {
        Map<String, Object> known = values;
        return known == null ? null : (T) known.get(key);
    }

    @Override
    public boolean has(String key) {
        Map<String, Object> known = values;
        return known != null && known.containsKey(key);
    }

    @Override
    public void del(String key) {
        Map<String, Object> known = values;
        if (known != null) {
            known.remove(key);
        }
    }

    /** Only {@link #createStore} is used, by the connection's constructor. */
    private static final class Factory extends MemoryStoreFactory {
        static final Factory INSTANCE = new Factory();

        @Override
        public Store createStore(UUID sessionId) {
            return new LazyMemoryStore();
        }
    }
}
