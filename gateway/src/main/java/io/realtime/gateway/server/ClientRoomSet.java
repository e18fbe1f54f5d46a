package io.realtime.gateway.server;

import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The rooms of one client: a thread-safe set for the two or three rooms most clients are in, in about 40 bytes where
 * a concurrent hash set of four slots took about 220 with its entries (memory per connection).
 *
 * <p>While the rooms are few they are an array replaced whole at each join or leave, and read without a lock: a
 * client joins and leaves far less often than its rooms are read, and a scan of a few rooms costs less than a hash.
 * Past {@link #MOST_IN_ARRAY} rooms the set moves, for good, to a concurrent hash set, so that a client in thousands
 * of rooms pays no scan. Iterators see the rooms as they were when they began (weakly consistent past the move).
 */
final class ClientRoomSet extends AbstractSet<String> {

    /** Rooms kept in an array; more go to a hash set. */
    static final int MOST_IN_ARRAY = 8;
    private static final String[] NONE = {};

    /** A {@code String[]} never changed once published, or the {@code Set<String>} the rooms moved to. */
    private volatile Object rooms = NONE;

    @Override
    public boolean contains(Object room) {
        Object current = rooms;
        if (current instanceof String[] few) {
            return indexOf(few, room) >= 0;
        }
        return asSet(current).contains(room);
    }

    @Override
    public int size() {
        Object current = rooms;
        return current instanceof String[] few ? few.length : asSet(current).size();
    }

    @Override
    public synchronized boolean add(String room) {
        if (room == null) {
            throw new NullPointerException("room");
        }
        Object current = rooms;
        if (!(current instanceof String[] few)) {
            return asSet(current).add(room);
        }
        if (indexOf(few, room) >= 0) {
            return false;
        }
        if (few.length < MOST_IN_ARRAY) {
            String[] more = Arrays.copyOf(few, few.length + 1);
            more[few.length] = room;
            rooms = more;
        } else {
            Set<String> many = ConcurrentHashMap.newKeySet(few.length * 2 + 2);
            many.addAll(Arrays.asList(few));
            many.add(room);
            rooms = many;
        }
        return true;
    }

    @Override
    public synchronized boolean remove(Object room) {
        Object current = rooms;
        if (!(current instanceof String[] few)) {
            return asSet(current).remove(room);
        }
        int index = indexOf(few, room);
        if (index < 0) {
            return false;
        }
        String[] fewer = new String[few.length - 1];
        System.arraycopy(few, 0, fewer, 0, index);
        System.arraycopy(few, index + 1, fewer, index, fewer.length - index);
        rooms = fewer.length == 0 ? NONE : fewer;
        return true;
    }

    @Override
    public synchronized void clear() {
        Object current = rooms;
        if (current instanceof String[]) {
            rooms = NONE;
        } else {
            asSet(current).clear();
        }
    }

    @Override
    public Iterator<String> iterator() {
        Object current = rooms;
        if (!(current instanceof String[] few)) {
            return asSet(current).iterator();
        }
        return new Iterator<>() {
            private int next;
            private String last;

            @Override
            public boolean hasNext() {
                return next < few.length;
            }

            @Override
            public String next() {
                if (next >= few.length) {
                    throw new NoSuchElementException();
                }
                last = few[next++];
                return last;
            }

            @Override
            public void remove() {
                if (last == null) {
                    throw new IllegalStateException();
                }
                ClientRoomSet.this.remove(last);
                last = null;
            }
        };
    }

    private static int indexOf(String[] few, Object room) {
        for (int i = 0; i < few.length; i++) {
            if (few[i].equals(room)) {
                return i;
            }
        }
        return -1;
    }

    @SuppressWarnings("unchecked")
    private static Set<String> asSet(Object rooms) {
        return (Set<String>) rooms;
    }
}
