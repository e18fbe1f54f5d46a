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
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.realtime.cluster.testing.FakeSocket.assertNothingElse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * netty-socketio keeps every socket of a namespace in a room named as the namespace ({@code "/chat"}, {@code ""} for
 * the main one). socket.io has no such room: to the cluster a room of that name is one nobody here joined, and the
 * cluster's leaves never take a socket out of netty's.
 */
class NamespaceRoomTest {

    private final InMemoryTransport.Bus bus = new InMemoryTransport.Bus();
    private final List<LocalAdapter> adapters = new ArrayList<>();

    private record Node(Namespace namespace, ClusterNamespace ops, ClusterCoreAdapter adapter) {
    }

    private Node node(String name) {
        Namespace namespace = new Namespace(name, new Configuration());
        InMemoryTransport transport = new InMemoryTransport(bus);
        ClusterCoreAdapter adapter = new ClusterCoreAdapter(namespace, transport, Duration.ofSeconds(2), ClusterObserver.NONE, null);
        adapters.add(adapter);
        return new Node(namespace, new ClusterNamespace(adapter, BroadcastOptions.ALL, ClusterObserver.NONE, transport.scheduler()),
                adapter);
    }

    @AfterEach
    void stop() {
        adapters.forEach(LocalAdapter::close);
        bus.close();
    }

    /** Connected as netty-socketio connects a socket: listed, then put in the namespace's room. */
    private static FakeSocket connect(Namespace namespace) {
        FakeSocket socket = FakeSocket.connect(namespace);
        namespace.onConnect(socket);
        return socket;
    }



    @Test
    void aRoomNamedAsTheNamespaceSelectsNobodyAndTheClustersLeavesKeepNettysRoom() throws Exception {
        Node n1 = node("/chat");
        Node n2 = node("/chat");
        FakeSocket near = connect(n1.namespace());
        FakeSocket far = connect(n2.namespace());
        assertThat(far.getAllRooms()).as("netty-socketio's own room").contains("/chat");

        n1.ops().to("/chat").emit("to-the-namespace-room");
        n2.ops().to("/chat").except("nobody").emit("to-the-namespace-room-too");
        assertNothingElse(n1.ops(), near, far);

        n2.ops().except("/chat").emit("except-the-namespace-room");
        assertThat(near.next().event()).isEqualTo("except-the-namespace-room");
        assertThat(far.next().event()).isEqualTo("except-the-namespace-room");

        assertThat(n1.ops().to("/chat").fetchSockets().toCompletableFuture().get(5, TimeUnit.SECONDS)).isEmpty();
        assertThat(n1.adapter().hasRoom("/chat")).isFalse();
        assertThat(n1.adapter().roomExists("/chat")).isFalse();

        n1.ops().socketsLeave("/chat");
        n1.ops().socketsJoin("after-the-leave");
        await().atMost(Duration.ofSeconds(2)).until(() -> far.getAllRooms().contains("after-the-leave"));
        // Applied on n2 before the join that came after it: netty's room kept its sockets on both nodes.
        assertThat(near.getAllRooms()).contains("/chat");
        assertThat(far.getAllRooms()).contains("/chat");
        assertThat(n1.namespace().getRoomClientsInCluster("/chat")).isEqualTo(1);
        assertThat(n2.namespace().getRoomClientsInCluster("/chat")).isEqualTo(1);

        n2.ops().socketsJoin("/chat", "joined");
        await().atMost(Duration.ofSeconds(2)).until(() -> near.getAllRooms().contains("joined"));
        assertThat(far.getAllRooms()).contains("joined", "/chat");
        Set<String> rooms = n2.ops().allRooms().toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(rooms).contains("joined").doesNotContain("/chat");
    }

    @Test
    void inTheMainNamespaceTheHiddenRoomIsTheEmptyNameAndSlashIsARoomLikeAnyOther() throws Exception {
        Node main = node("");
        FakeSocket member = connect(main.namespace());
        FakeSocket other = connect(main.namespace());

        main.ops().to("").emit("to-the-empty-room");
        main.ops().to(other.id()).socketsJoin("/");
        main.ops().to("/").emit("to-slash");

        assertThat(other.next().event()).isEqualTo("to-slash");
        assertNothingElse(main.ops(), member, other);
        assertThat(main.ops().to("/").fetchSockets().toCompletableFuture().get(5, TimeUnit.SECONDS))
                .extracting(SocketDetails::id).containsExactly(other.id());
        assertThat(main.ops().to("/").fetchSockets().toCompletableFuture().get(5, TimeUnit.SECONDS).get(0).rooms())
                .containsExactlyInAnyOrder(other.id(), "/");

        main.ops().socketsLeave("");
        assertThat(main.namespace().getRoomClientsInCluster("")).as("netty-socketio's room kept").isEqualTo(2);
    }
}
