package io.realtime.cluster;

import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.namespace.Namespace;
import io.realtime.cluster.core.ClusterCoreAdapter;
import io.realtime.cluster.testing.FakeSocket;
import io.realtime.cluster.testing.InMemoryTransport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The asker's own share of {@code fetchSockets}, {@code sockets} and {@code allRooms} is worked out on the work thread
 * other nodes' requests are answered on, never on the caller's (a Netty event loop, often): a walk of every socket
 * there would hold up its I/O. The sockets tell on which thread they were read.
 */
class OwnShareOffCallerTest {

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(2);

    private final InMemoryTransport.Bus bus = new InMemoryTransport.Bus();
    private final List<LocalAdapter> adapters = new ArrayList<>();

    /** Threads that read this test's watched sockets, with what they read. */
    private final List<String> readers = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        adapters.forEach(LocalAdapter::close);
        bus.close();
    }

    private ClusterCoreAdapter clusterNode(Namespace namespace) {
        ClusterCoreAdapter adapter = new ClusterCoreAdapter(namespace, new InMemoryTransport(bus), REQUEST_TIMEOUT,
                ClusterObserver.NONE, null);
        adapters.add(adapter);
        return adapter;
    }

    /** Sockets of {@code namespace}, each in {@code room} with data, whose reads are recorded from now on. */
    private List<FakeSocket> watchedSockets(Namespace namespace, int count) {
        List<FakeSocket> sockets = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            FakeSocket socket = FakeSocket.connect(namespace);
            socket.joinRoom("room");
            socket.set(LocalAdapter.SOCKET_DATA_KEY, Map.of("n", i));
            sockets.add(socket);
        }
        sockets.forEach(socket -> socket.onRead(what -> readers.add(Thread.currentThread().getName() + ": " + what)));
        return sockets;
    }

    private static <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void inAClusterTheLocalShareIsWalkedOnTheWorkThreadAndStillComesFirst() throws Exception {
        Namespace here = new Namespace("/chat", new Configuration());
        Namespace there = new Namespace("/chat", new Configuration());
        ClusterCoreAdapter asker = clusterNode(here);
        clusterNode(there);
        FakeSocket far = FakeSocket.connect(there);
        far.joinRoom("room");
        List<FakeSocket> near = watchedSockets(here, 20);
        List<String> nearIds = near.stream().map(FakeSocket::id).toList();
        String caller = Thread.currentThread().getName();

        List<SocketDetails> all = await(asker.fetchSockets(BroadcastOptions.ALL));
        List<SocketDetails> inRoom = await(asker.fetchSockets(BroadcastOptions.ALL.withRooms(Set.of("room"))));
        List<SocketDetails> localOnly = await(asker.fetchSockets(BroadcastOptions.ALL.asLocal()));
        Set<String> ids = await(asker.sockets(BroadcastOptions.ALL));
        Set<String> localIds = await(asker.sockets(BroadcastOptions.ALL.asLocal()));
        Set<String> rooms = await(asker.allRooms());

        // This node's sockets first, then the other node's: as before.
        assertLocalFirst(all.stream().map(SocketDetails::id).toList(), nearIds, far.id());
        assertLocalFirst(inRoom.stream().map(SocketDetails::id).toList(), nearIds, far.id());
        assertLocalFirst(new ArrayList<>(ids), nearIds, far.id());
        SocketDetails first = all.get(0);
        int n = nearIds.indexOf(first.id());
        assertThat(first.rooms()).containsExactly(first.id(), "room");
        assertThat(first.data()).isEqualTo(Map.of("n", n));
        assertThat(first.handshake()).containsKeys("headers", "address", "url");
        assertThat(localOnly).extracting(SocketDetails::id).containsExactlyInAnyOrderElementsOf(nearIds);
        assertThat(localIds).containsExactlyInAnyOrderElementsOf(nearIds);
        List<String> roomList = new ArrayList<>(rooms);
        assertThat(roomList.get(0)).as("this node's rooms first").isEqualTo("room");
        assertLocalFirst(roomList.subList(1, roomList.size()), nearIds, far.id());

        assertThat(readers).as("the local sockets were walked").isNotEmpty()
                .noneMatch(read -> read.startsWith(caller + ":"))
                .allMatch(read -> read.startsWith("in-memory-cluster-work:"));
    }

    @Test
    void onASingleNodeTheWalkRunsOnItsOwnThread() throws Exception {
        Namespace namespace = new Namespace("/chat", new Configuration());
        LocalAdapter adapter = new LocalAdapter(namespace);
        adapters.add(adapter);
        List<String> ids = watchedSockets(namespace, 20).stream().map(FakeSocket::id).toList();
        String caller = Thread.currentThread().getName();

        assertThat(await(adapter.fetchSockets(BroadcastOptions.ALL))).extracting(SocketDetails::id)
                .containsExactlyInAnyOrderElementsOf(ids);
        assertThat(await(adapter.fetchSockets(BroadcastOptions.ALL.withRooms(Set.of("room")))))
                .extracting(SocketDetails::id).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(await(adapter.sockets(BroadcastOptions.ALL))).containsExactlyInAnyOrderElementsOf(ids);
        List<String> rooms = new ArrayList<>(await(adapter.allRooms()));
        assertThat(rooms.get(0)).isEqualTo("room");
        assertThat(rooms.subList(1, rooms.size())).containsExactlyInAnyOrderElementsOf(ids);

        assertThat(readers).as("the sockets were walked").isNotEmpty()
                .noneMatch(read -> read.startsWith(caller + ":"))
                .allMatch(read -> read.startsWith("cluster-local-work:"));
    }

    @Test
    void aSelectionOfAFewSocketsByIdIsListedAtOnce() {
        Namespace namespace = new Namespace("/chat", new Configuration());
        LocalAdapter adapter = new LocalAdapter(namespace);
        adapters.add(adapter);
        FakeSocket one = watchedSockets(namespace, 20).get(3);

        // No thread hop for one socket (the Admin UI's socket_connected): done when the call returns.
        assertThat(adapter.fetchSockets(BroadcastOptions.ALL.withRooms(Set.of(one.id()))).toCompletableFuture().getNow(null))
                .extracting(SocketDetails::id).containsExactly(one.id());
    }

    /** {@code ids} are {@code local} (in any order) and then {@code remote}. */
    private static void assertLocalFirst(List<String> ids, List<String> local, String remote) {
        assertThat(ids).hasSize(local.size() + 1);
        assertThat(ids.subList(0, local.size())).containsExactlyInAnyOrderElementsOf(local);
        assertThat(ids.get(local.size())).isEqualTo(remote);
    }
}
