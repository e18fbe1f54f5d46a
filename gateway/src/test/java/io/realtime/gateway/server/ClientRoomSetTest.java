package io.realtime.gateway.server;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClientRoomSetTest {

    @Test
    void aFewRoomsBehaveAsASet() {
        ClientRoomSet rooms = new ClientRoomSet();
        assertThat(rooms).isEmpty();
        assertThat(rooms.add("lobby")).isTrue();
        assertThat(rooms.add("news")).isTrue();
        assertThat(rooms.add("lobby")).isFalse();
        assertThat(rooms).containsExactly("lobby", "news").hasSize(2);
        assertThat(rooms.contains("news")).isTrue();
        assertThat(rooms.contains("sports")).isFalse();
        assertThat(rooms).isEqualTo(Set.of("lobby", "news"));

        assertThat(rooms.remove("sports")).isFalse();
        assertThat(rooms.remove("lobby")).isTrue();
        assertThat(rooms).containsExactly("news");
        assertThat(rooms.remove("news")).isTrue();
        assertThat(rooms).isEqualTo(Set.of());
        assertThatThrownBy(() -> rooms.add(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void anIteratorSeesTheRoomsAsTheyWereAndRemovesFromTheSet() {
        ClientRoomSet rooms = new ClientRoomSet();
        rooms.addAll(List.of("a", "b", "c"));
        Iterator<String> iterator = rooms.iterator();
        rooms.add("d");
        List<String> seen = new ArrayList<>();
        while (iterator.hasNext()) {
            String room = iterator.next();
            seen.add(room);
            if (room.equals("b")) {
                iterator.remove();
            }
        }
        assertThat(seen).containsExactly("a", "b", "c");
        assertThat(rooms).containsExactly("a", "c", "d");

        Iterator<String> again = rooms.iterator();
        assertThatThrownBy(again::remove).as("nothing returned yet").isInstanceOf(IllegalStateException.class);
        again.next();
        again.remove();
        assertThatThrownBy(again::remove).as("removed already").isInstanceOf(IllegalStateException.class);
        assertThat(rooms).containsExactly("c", "d");
    }

    @Test
    void pastTheArraysRoomsTheSetMovesToAHashSetAndKeepsItsRooms() {
        ClientRoomSet rooms = new ClientRoomSet();
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < ClientRoomSet.MOST_IN_ARRAY * 4; i++) {
            assertThat(rooms.add("room-" + i)).isTrue();
            expected.add("room-" + i);
            assertThat(rooms).hasSize(expected.size()).isEqualTo(expected);
        }
        assertThat(rooms.add("room-3")).isFalse();
        assertThat(rooms.remove("room-3")).isTrue();
        expected.remove("room-3");
        assertThat(rooms).isEqualTo(expected).doesNotContain("room-3");
        rooms.removeIf(room -> room.endsWith("1"));
        expected.removeIf(room -> room.endsWith("1"));
        assertThat(rooms).isEqualTo(expected);
        rooms.clear();
        assertThat(rooms).isEmpty();
    }

    @Test
    void joinsAndLeavesFromSeveralThreadsLoseNothing() throws Exception {
        ClientRoomSet rooms = new ClientRoomSet();
        int threads = 4;
        int perThread = 50;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        rooms.add("kept-" + thread + "-" + i);
                        rooms.add("left-" + thread + "-" + i);
                        rooms.remove("left-" + thread + "-" + i);
                        assertThat(rooms.contains("kept-" + thread + "-" + i)).isTrue();
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : done) {
                future.get(10, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(rooms).hasSize(threads * perThread).allMatch(room -> room.startsWith("kept-"));
    }
}
