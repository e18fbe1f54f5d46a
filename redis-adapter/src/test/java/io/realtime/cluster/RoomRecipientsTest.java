package io.realtime.cluster;

import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.SocketIOClient;
import com.corundumstudio.socketio.namespace.Namespace;
import io.realtime.cluster.testing.FakeSocket;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A room's recipients, kept from one broadcast to the next until its membership changes, and never stale after. */
class RoomRecipientsTest {

    private final Namespace namespace = new Namespace("/chat", new Configuration());
    private final RecordingEncoder encoder = new RecordingEncoder();
    private final LocalAdapter adapter = new LocalAdapter(namespace, ClusterObserver.NONE, encoder);

    /** Records what each broadcast was handed, and how often the recipients had to be prepared. */
    private static final class RecordingEncoder implements BroadcastEncoder<String> {
        volatile Recipients last;
        final AtomicInteger preparations = new AtomicInteger();
        private final Function<List<SocketIOClient>, Set<SocketIOClient>> preparation = clients -> {
            preparations.incrementAndGet();
            return new HashSet<>(clients);
        };

        @Override
        public String encode(String namespace, ClusterPacket packet) {
            return packet.event();
        }

        @Override
        public List<SocketIOClient> sendAll(String encoded, Recipients recipients) {
            last = recipients;
            recipients.prepared(preparation);
            return List.of();
        }
    }

    /** What a broadcast to {@code room} was handed (an empty room's broadcast hands nothing). */
    private Recipients broadcastTo(String room) {
        adapter.broadcast(ClusterPacket.of("news"), BroadcastOptions.ALL.withRooms(Set.of(room)));
        return encoder.last;
    }

    private Recipients recipientsOf(String room) {
        return adapter.recipients(BroadcastOptions.ALL.withRooms(Set.of(room)));
    }

    @Test
    void theSameRecipientsArePreparedOnceWhileNobodyJoinsOrLeaves() {
        FakeSocket a = FakeSocket.connect(namespace);
        FakeSocket b = FakeSocket.connect(namespace);
        a.joinRoom("lobby");
        b.joinRoom("lobby");

        Recipients first = broadcastTo("lobby");
        Recipients second = broadcastTo("lobby");

        assertThat(first.clients()).containsExactlyInAnyOrder(a, b);
        assertThat(second).isSameAs(first);
        assertThat(encoder.preparations).hasValue(1);
    }

    @Test
    void joinsLeavesAndDisconnectsShowAtTheNextBroadcast() {
        FakeSocket a = FakeSocket.connect(namespace);
        FakeSocket b = FakeSocket.connect(namespace);
        FakeSocket c = FakeSocket.connect(namespace);
        a.joinRoom("lobby");
        assertThat(broadcastTo("lobby").clients()).containsExactly(a);

        b.joinRoom("lobby");
        assertThat(broadcastTo("lobby").clients()).containsExactlyInAnyOrder(a, b);

        c.joinRooms(Set.of("lobby", "other"));
        a.leaveRoom("lobby");
        assertThat(broadcastTo("lobby").clients()).containsExactlyInAnyOrder(b, c);

        b.disconnect();
        assertThat(broadcastTo("lobby").clients()).containsExactly(c);

        c.leaveRooms(Set.of("lobby", "other"));
        assertThat(recipientsOf("lobby").clients()).isEmpty();
        assertThat(namespace.getRooms()).doesNotContain("lobby", "other");

        // The room made again from nothing is a new room with its own recipients.
        a.joinRoom("lobby");
        assertThat(broadcastTo("lobby").clients()).containsExactly(a);
    }

    @Test
    void everyonesRecipientsAreKeptUntilASocketComesOrGoes() {
        FakeSocket a = FakeSocket.connect(namespace);
        Recipients first = adapter.recipients(BroadcastOptions.ALL);
        assertThat(first.clients()).containsExactly(a);
        a.joinRoom("lobby");
        assertThat(adapter.recipients(BroadcastOptions.ALL)).isSameAs(first);

        FakeSocket b = FakeSocket.connect(namespace);
        assertThat(adapter.recipients(BroadcastOptions.ALL).clients()).containsExactlyInAnyOrder(a, b);
        a.disconnect();
        assertThat(adapter.recipients(BroadcastOptions.ALL).clients()).containsExactly(b);
    }

    @Test
    void aSocketIdStillSelectsThatSocketBesideTheRoomsMembers() {
        FakeSocket member = FakeSocket.connect(namespace);
        FakeSocket alone = FakeSocket.connect(namespace);
        String aloneId = SocketIds.wire(alone.getSessionId());
        member.joinRoom(aloneId);

        assertThat(broadcastTo(aloneId).clients()).containsExactlyInAnyOrder(member, alone);
    }

    @Test
    void roomEventsAreToldOnceEachAndWatchedOncePerNamespace() {
        List<String> events = new ArrayList<>();
        FakeSocket early = FakeSocket.connect(namespace);
        early.joinRoom("before");

        List<String> existing = adapter.watchRooms(room -> events.add("+" + room), room -> events.add("-" + room));
        FakeSocket a = FakeSocket.connect(namespace);
        a.joinRoom("r");
        early.joinRoom("r");
        a.leaveRoom("r");
        early.leaveRoom("r");

        assertThat(existing).containsExactly("before");
        assertThat(events).containsExactly("+r", "-r");
        LocalAdapter second = new LocalAdapter(namespace, ClusterObserver.NONE, encoder);
        assertThatThrownBy(() -> second.watchRooms(room -> { }, room -> { }))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("already observed");
    }

    /**
     * Sockets join and leave from several threads while another broadcasts: once they stop, the next broadcast has
     * exactly the room's members, whatever the interleaving (a lost change would keep stale recipients).
     */
    @Test
    void concurrentJoinsAndLeavesNeverLeaveStaleRecipientsBehind() throws Exception {
        List<FakeSocket> sockets = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            sockets.add(FakeSocket.connect(namespace));
        }
        ExecutorService threads = Executors.newFixedThreadPool(4);
        AtomicBoolean moving = new AtomicBoolean(true);
        try {
            List<Future<?>> movers = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                movers.add(threads.submit(() -> {
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    for (int i = 0; i < 20_000; i++) {
                        FakeSocket socket = sockets.get(random.nextInt(sockets.size()));
                        if (random.nextBoolean()) {
                            socket.joinRoom("busy");
                        } else {
                            socket.leaveRoom("busy");
                        }
                    }
                }));
            }
            Future<?> broadcaster = threads.submit(() -> {
                while (moving.get()) {
                    broadcastTo("busy");
                }
            });
            for (Future<?> mover : movers) {
                mover.get(60, TimeUnit.SECONDS);
            }
            moving.set(false);
            broadcaster.get(60, TimeUnit.SECONDS);
        } finally {
            threads.shutdownNow();
        }

        Set<SocketIOClient> members = new HashSet<>();
        namespace.getRoomClients("busy").forEach(members::add);
        assertThat(new HashSet<>(recipientsOf("busy").clients())).isEqualTo(members);
    }
}
