package io.realtime.cluster;

import com.corundumstudio.socketio.SocketIOClient;
import com.corundumstudio.socketio.namespace.Namespace;

import java.lang.reflect.Field;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.function.Consumer;

/**
 * The rooms and sockets of one netty-socketio {@link Namespace}, observed. It keeps each room's {@link Recipients}
 * from one broadcast to the next until somebody joins or leaves the room (and everyone's until a socket comes or
 * goes), and tells when a room gets its first local member
 * and when it loses its last (socket.io's adapter events {@code create-room} / {@code delete-room}), which transports
 * with per-room channels need.
 *
 * <p>Why reflection: netty-socketio 2.0 has no room events, and lists a room's clients anew at each call (a lookup
 * of every member in its client map: on a node receiving broadcasts from Redis, a large part of what the reading
 * thread spends per broadcast). Its {@link Namespace} keeps rooms in a private {@code roomClients} map, creates a room
 * with {@code putIfAbsent}, changes it only through the set it finds there ({@code add}, {@code remove}) and removes
 * it with {@code remove(room, emptySet)}; its sockets are a private {@code allClients} map, changed by {@code put} and
 * {@code remove}. Both maps are replaced, once, when the namespace's first adapter is made, by maps that count their
 * changes.
 */
final class ObservedRooms extends ConcurrentHashMap<String, Set<UUID>> {

    private final transient Namespace namespace;
    private final transient Everyone everyone;
    private transient volatile Consumer<String> created;
    private transient volatile Consumer<String> deleted;

    private ObservedRooms(Namespace namespace, Everyone everyone) {
        this.namespace = namespace;
        this.everyone = everyone;
    }

    /**
     * The observed rooms of {@code namespace}, installed at the first call. Fails with a clear message when this
     * version of netty-socketio keeps its rooms differently.
     */
    @SuppressWarnings("unchecked")
    static ObservedRooms of(Namespace namespace) {
        try {
            Field roomsField = Namespace.class.getDeclaredField("roomClients");
            Field clientsField = Namespace.class.getDeclaredField("allClients");
            roomsField.setAccessible(true);
            clientsField.setAccessible(true);
            synchronized (ObservedRooms.class) {
                Object current = roomsField.get(namespace);
                if (current instanceof ObservedRooms installed) {
                    return installed;
                }
                Everyone everyone = new Everyone();
                everyone.putAll((Map<UUID, SocketIOClient>) clientsField.get(namespace));
                ObservedRooms rooms = new ObservedRooms(namespace, everyone);
                ((Map<String, Set<UUID>>) current).forEach((room, ids) -> rooms.put(room, new Members(ids, namespace)));
                clientsField.set(namespace, everyone);
                roomsField.set(namespace, rooms);
                return rooms;
            }
        } catch (ReflectiveOperationException | ClassCastException | SecurityException e) {
            throw new IllegalStateException("cannot observe the rooms of netty-socketio's Namespace: " + e, e);
        }
    }

    /**
     * Tells {@code onCreated} and {@code onDeleted} of every room created and deleted from now on, the namespace's own
     * room aside; returns the rooms that exist now. One watcher at a time per namespace ({@link #unwatch}).
     */
    List<String> watch(Consumer<String> onCreated, Consumer<String> onDeleted) {
        synchronized (this) {
            if (created != null) {
                throw new IllegalStateException("room events already observed for namespace " + namespace.getName());
            }
            created = onCreated;
            deleted = onDeleted;
        }
        return keySet().stream().filter(room -> !room.equals(namespace.getName())).toList();
    }

    /** Stops telling {@code onCreated}'s watcher of rooms (an adapter that closes), so that another may watch. */
    void unwatch(Consumer<String> onCreated) {
        synchronized (this) {
            if (created == onCreated) {
                created = null;
                deleted = null;
            }
        }
    }

    /** The clients of {@code room} now: the same instance as at the last call while its membership stayed the same. */
    Recipients recipients(String room) {
        Set<UUID> members = get(room);
        return members instanceof Members observed ? observed.kept.recipients(observed) : Recipients.none();
    }

    /** Every socket of the namespace now: the same instance as at the last call while none came or went. */
    Recipients everyone() {
        return everyone.kept.recipients(everyone);
    }

    @Override
    public Set<UUID> putIfAbsent(String room, Set<UUID> ids) {
        // netty-socketio adds its first member to the set it passed, then finds this one in the map and adds it
        // here again: that second add is the change the kept recipients hear of.
        Set<UUID> existing = super.putIfAbsent(room, ids instanceof Members ? ids : new Members(ids, namespace));
        Consumer<String> listener = created;
        if (existing == null && listener != null && !room.equals(namespace.getName())) {
            listener.accept(room);
        }
        return existing;
    }

    @Override
    public boolean remove(Object room, Object ids) {
        boolean removed = super.remove(room, ids);
        Consumer<String> listener = deleted;
        if (removed && listener != null && !room.equals(namespace.getName())) {
            listener.accept((String) room);
        }
        return removed;
    }

    /**
     * Recipients kept while the count of changes of what they were listed from stays the same. The count is read
     * before the listing: a change made meanwhile leaves what is kept stale, never current.
     */
    private static final class KeptRecipients {

        private static final AtomicIntegerFieldUpdater<KeptRecipients> CHANGES =
                AtomicIntegerFieldUpdater.newUpdater(KeptRecipients.class, "changes");

        private volatile int changes;
        private volatile Kept kept;

        private record Kept(int changes, Recipients recipients) {
        }

        /** Lists the clients into the list given; answers whether the listing is complete enough to keep. */
        interface Listing {
            boolean addTo(List<SocketIOClient> clients);
        }

        Recipients recipients(Listing listing) {
            int now = changes;
            Kept last = kept;
            if (last != null && last.changes() == now) {
                return last.recipients();
            }
            List<SocketIOClient> clients = new ArrayList<>();
            boolean complete = listing.addTo(clients);
            Recipients recipients = Recipients.of(clients);
            if (complete) {
                kept = new Kept(now, recipients);
            }
            return recipients;
        }

        void changed() {
            CHANGES.incrementAndGet(this);
            // Nothing kept outlives a change: the sockets that left are not held until the next broadcast.
            kept = null;
        }

        /** Counts a change made by a call, once it is made, and gives that call's result back. */
        <T> T changed(T result) {
            changed();
            return result;
        }
    }

    /** netty-socketio's map of the namespace's sockets by id, counting every socket added and removed. */
    private static final class Everyone extends ConcurrentHashMap<UUID, SocketIOClient>
            implements KeptRecipients.Listing {
        private final transient KeptRecipients kept = new KeptRecipients();

        @Override
        public boolean addTo(List<SocketIOClient> clients) {
            clients.addAll(values());
            return true;
        }

        @Override
        public SocketIOClient put(UUID id, SocketIOClient client) {
            return kept.changed(super.put(id, client));
        }

        @Override
        public SocketIOClient remove(Object id) {
            return kept.changed(super.remove(id));
        }
    }

    /** A room's member ids, counting every change. */
    private static final class Members extends AbstractSet<UUID> implements KeptRecipients.Listing {

        private final Set<UUID> ids;
        private final Namespace namespace;
        /** Every add and remove counts, even one that changed nothing: see {@link ObservedRooms#putIfAbsent}. */
        private final KeptRecipients kept = new KeptRecipients();

        Members(Set<UUID> ids, Namespace namespace) {
            this.ids = ids;
            this.namespace = namespace;
        }

        @Override
        public boolean addTo(List<SocketIOClient> clients) {
            boolean complete = true;
            for (UUID id : ids) {
                SocketIOClient client = namespace.getClient(id);
                if (client != null) {
                    clients.add(client);
                } else {
                    // Leaving, or not yet listed among the namespace's sockets: no room change may follow, so
                    // this listing is not kept.
                    complete = false;
                }
            }
            return complete;
        }

        @Override
        public boolean add(UUID id) {
            return kept.changed(ids.add(id));
        }

        @Override
        public boolean remove(Object id) {
            return kept.changed(ids.remove(id));
        }

        @Override
        public boolean contains(Object id) {
            return ids.contains(id);
        }

        @Override
        public int size() {
            return ids.size();
        }

        @Override
        public boolean isEmpty() {
            return ids.isEmpty();
        }

        @Override
        public Iterator<UUID> iterator() {
            Iterator<UUID> each = ids.iterator();
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return each.hasNext();
                }

                @Override
                public UUID next() {
                    return each.next();
                }

                @Override
                public void remove() {
                    each.remove();
                    kept.changed();
                }
            };
        }
    }
}
