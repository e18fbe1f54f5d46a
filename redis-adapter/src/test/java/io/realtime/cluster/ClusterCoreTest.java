package io.realtime.cluster;

import com.corundumstudio.socketio.AckCallback;
import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.namespace.Namespace;
import io.realtime.cluster.core.ClusterCoreAdapter;
import io.realtime.cluster.testing.FakeSocket;
import io.realtime.cluster.testing.FakeSocket.Received;
import io.realtime.cluster.testing.InMemoryTransport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static io.realtime.cluster.testing.FakeSocket.assertNothingElse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The cluster core's protocol over an in-memory transport: three nodes, no Redis. */
class ClusterCoreTest {

    private static final Duration REQUEST_TIMEOUT = Duration.ofMillis(500);

    private InMemoryTransport.Bus bus;
    private final List<Node> nodes = new ArrayList<>();
    private Node n1;
    private Node n2;
    private Node n3;

    private record Node(Namespace namespace, InMemoryTransport transport, ClusterCoreAdapter adapter, ClusterNamespace ops) {
        FakeSocket connect() {
            return FakeSocket.connect(namespace);
        }
    }

    private Node node() {
        Namespace namespace = new Namespace("/chat", new Configuration());
        InMemoryTransport transport = new InMemoryTransport(bus);
        ClusterCoreAdapter adapter = new ClusterCoreAdapter(namespace, transport, REQUEST_TIMEOUT, ClusterObserver.NONE, null);
        Node node = new Node(namespace, transport, adapter, new ClusterNamespace(adapter, BroadcastOptions.ALL, ClusterObserver.NONE,
                transport.scheduler()));
        nodes.add(node);
        return node;
    }

    @BeforeEach
    void start() {
        bus = new InMemoryTransport.Bus();
        n1 = node();
        n2 = node();
        n3 = node();
    }

    @AfterEach
    void stop() {
        nodes.forEach(node -> node.adapter().close());
        bus.close();
    }



    @Test
    void broadcastReachesEverySocketOfEveryNodeOnce() throws Exception {
        FakeSocket a = n1.connect();
        FakeSocket b = n2.connect();
        FakeSocket c = n3.connect();

        n1.ops().emit("hello", 1, Map.of("k", "v"));

        for (FakeSocket socket : List.of(a, b, c)) {
            Received received = socket.next();
            assertThat(received.event()).isEqualTo("hello");
            assertThat(received.args()).containsExactly(1, Map.of("k", "v"));
        }
        assertNothingElse(n1.ops(), a, b, c);
    }

    @Test
    void roomsAreDeduplicatedAndExceptLeavesOut() throws Exception {
        FakeSocket a = n1.connect();
        FakeSocket b = n2.connect();
        FakeSocket c = n3.connect();
        a.joinRooms(java.util.Set.of("r1", "r2"));
        b.joinRoom("r1");
        c.joinRooms(java.util.Set.of("r2", "muted"));

        n3.ops().to("r1", "r2").except("muted").emit("m");

        assertThat(a.next().event()).isEqualTo("m");
        assertThat(b.next().event()).isEqualTo("m");
        assertNothingElse(n3.ops(), a, b, c);
    }

    @Test
    void aSocketIdIsARoomAcrossNodes() throws Exception {
        FakeSocket far = n3.connect();
        FakeSocket other = n2.connect();

        n1.ops().to(far.id()).emit("direct");

        assertThat(far.next().event()).isEqualTo("direct");
        assertNothingElse(n1.ops(), far, other);
    }

    @Test
    void localStaysOnItsNodeAndVolatileSkipsSocketsThatCannotTakeIt() throws Exception {
        FakeSocket here = n1.connect();
        FakeSocket there = n2.connect();
        FakeSocket busy = n2.connect();
        busy.writable(false);

        n1.ops().local().emit("local-only");
        n1.ops().asVolatile().emit("volatile");

        assertThat(here.next().event()).isEqualTo("local-only");
        assertThat(here.next().event()).isEqualTo("volatile");
        assertThat(there.next().event()).isEqualTo("volatile");
        busy.writable(true);
        assertNothingElse(n1.ops(), here, there, busy);
    }

    @Test
    void fetchSocketsGathersEveryNodeAndFailsWithThePartialResultsWhenANodeDoesNotAnswer() {
        FakeSocket a = n1.connect();
        FakeSocket b = n2.connect();
        FakeSocket c = n3.connect();
        b.joinRoom("room");
        c.joinRoom("room");

        List<SocketDetails> all = n1.ops().fetchSockets().toCompletableFuture().join();
        assertThat(all).extracting(SocketDetails::id).containsExactlyInAnyOrder(a.id(), b.id(), c.id());
        SocketDetails remote = all.stream().filter(s -> s.id().equals(b.id())).findFirst().orElseThrow();
        assertThat(remote.rooms()).contains("room", b.id());
        assertThat(remote.handshake()).containsKeys("headers", "address", "url");
        assertThat(n1.ops().to("room").fetchSockets().toCompletableFuture().join())
                .extracting(SocketDetails::id).containsExactlyInAnyOrder(b.id(), c.id());

        n3.transport().deaf(true);
        long started = System.nanoTime();
        CompletableFuture<List<SocketDetails>> partial = n1.ops().fetchSockets().toCompletableFuture();
        assertThatThrownBy(partial::join).cause().isInstanceOf(ClusterTimeoutException.class)
                .hasMessageContaining("only 1 responses received out of 2")
                .satisfies(e -> assertThat(((ClusterTimeoutException) e).partialResults())
                        .extracting(s -> ((SocketDetails) s).id()).containsExactlyInAnyOrder(a.id(), b.id()));
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isBetween(400L, 5000L);
        assertThat(n1.transport().stats().requestTimeouts()).isEqualTo(1);
    }

    @Test
    void fetchSocketsWaitsAsLongAsItsTimeoutSays() {
        n1.connect();
        n3.transport().deaf(true);
        Duration timeout = REQUEST_TIMEOUT.multipliedBy(3);
        long started = System.nanoTime();
        CompletableFuture<List<SocketDetails>> partial = n1.ops().timeout(timeout).fetchSockets().toCompletableFuture();
        assertThatThrownBy(partial::join).cause().isInstanceOf(ClusterTimeoutException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(timeout);
    }

    @Test
    void allRoomsAndSocketsAreClusterWide() {
        FakeSocket a = n1.connect();
        FakeSocket b = n2.connect();
        b.joinRoom("far-room");

        assertThat(n1.ops().allRooms().toCompletableFuture().join()).contains("far-room", a.id(), b.id());
        assertThat(n3.adapter().sockets(BroadcastOptions.ALL.withRooms(java.util.Set.of("far-room")))
                .toCompletableFuture().join()).containsExactly(b.id());
    }

    @Test
    void serverSideEmitWithAndWithoutAcks() {
        List<Object> heard2 = new CopyOnWriteArrayList<>();
        List<Object> heard1 = new CopyOnWriteArrayList<>();
        n1.ops().onServerSideEmit("sync", (args, ack) -> heard1.add(args));
        n2.ops().onServerSideEmit("sync", (args, ack) -> heard2.add(args));
        n3.ops().onServerSideEmit("sync", (args, ack) -> {
            if (ack != null) {
                ack.accept("n3:" + args.get(0));
            }
        });
        n2.ops().onServerSideEmit("ask", (args, ack) -> ack.accept("n2"));
        n3.ops().onServerSideEmit("ask", (args, ack) -> ack.accept("n3"));

        n1.ops().serverSideEmit("sync", "v1");
        await().atMost(Duration.ofSeconds(2)).until(() -> heard2.size() == 1);
        assertThat(heard2.get(0)).isEqualTo(List.of("v1"));
        assertThat(heard1).as("not sent to itself").isEmpty();

        assertThat(n1.ops().serverSideEmitWithAck("ask").toCompletableFuture().join()).containsExactlyInAnyOrder("n2", "n3");

        n3.transport().deaf(true);
        assertThatThrownBy(() -> n1.ops().serverSideEmitWithAck("ask").toCompletableFuture().join())
                .cause().isInstanceOf(ClusterTimeoutException.class)
                .satisfies(e -> assertThat(((ClusterTimeoutException) e).partialResults()).containsExactly("n2"));
    }

    @Test
    void everyListenerOfAServerSideEventHearsItAndOnlyTheFirstAnswerIsSent() {
        List<String> heard = new CopyOnWriteArrayList<>();
        n2.ops().onServerSideEmit("multi", (args, ack) -> {
            heard.add("n2 first " + args);
            throw new IllegalStateException("a listener that fails keeps the event from no other");
        });
        n2.ops().onServerSideEmit("multi", (args, ack) -> {
            heard.add("n2 second " + args);
            if (ack != null) {
                ack.accept("n2 second");
                ack.accept("n2 second again");
            }
        });
        n2.ops().onServerSideEmit("multi", (args, ack) -> {
            heard.add("n2 third " + args);
            if (ack != null) {
                ack.accept("n2 third");
            }
        });
        n3.ops().onServerSideEmit("multi", (args, ack) -> {
            heard.add("n3 " + args);
            if (ack != null) {
                ack.accept("n3");
            }
        });

        n1.ops().serverSideEmit("multi", "v1");
        await().atMost(Duration.ofSeconds(2)).until(() -> heard.size() == 4);
        assertThat(heard).containsExactlyInAnyOrder("n2 first [v1]", "n2 second [v1]", "n2 third [v1]", "n3 [v1]");
        await().atMost(Duration.ofSeconds(2)).until(() -> !n2.transport().handlerFailures.isEmpty());
        assertThat(n2.transport().handlerFailures).as("the failure is still the transport's to report")
                .singleElement().extracting(Throwable::getMessage).asString().contains("keeps the event from no other");

        heard.clear();
        // One answer per server, n2's the first of its listeners gave; a second answer would be taken for n3's
        // (the classic wire names no responder) or would outlive the request.
        assertThat(n1.ops().serverSideEmitWithAck("multi", "v2").toCompletableFuture().join())
                .containsExactlyInAnyOrder("n2 second", "n3");
        // The listeners after the one that answered may still be running.
        await().atMost(Duration.ofSeconds(2)).until(() -> heard.size() == 4);
        assertThat(heard).containsExactlyInAnyOrder("n2 first [v2]", "n2 second [v2]", "n2 third [v2]", "n3 [v2]");
    }

    @Test
    void aListenerMayWaitForAClusterRequestAndHearsTheEventsInTheOrderTheyWereSent() throws Exception {
        n1.connect();
        n2.connect();
        n3.connect();
        List<Object> heard = new CopyOnWriteArrayList<>();
        CompletableFuture<Integer> fetched = new CompletableFuture<>();
        n2.ops().onServerSideEmit("look", (args, ack) -> {
            heard.add(args.get(0));
            try {
                // Its answers come through the very transport that delivered this event.
                fetched.complete(n2.ops().fetchSockets().toCompletableFuture().join().size());
            } catch (RuntimeException e) {
                fetched.completeExceptionally(e);
            }
        });

        for (int i = 0; i < 5; i++) {
            n1.ops().serverSideEmit("look", i);
        }

        // Well within the request timeout (500 ms), which a listener run on the delivering thread waits out.
        assertThat(fetched.get(400, TimeUnit.MILLISECONDS)).as("every node's socket").isEqualTo(3);
        await().atMost(Duration.ofSeconds(5)).until(() -> heard.size() == 5);
        assertThat(heard).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void socketsJoinLeaveAndDisconnectWhereverTheSocketsAre() throws Exception {
        FakeSocket far = n3.connect();
        FakeSocket near = n1.connect();

        n1.ops().socketsJoin("everyone");
        assertThat(near.getAllRooms()).as("applied here at once").contains("everyone");
        await().atMost(Duration.ofSeconds(2)).until(() -> far.getAllRooms().contains("everyone"));

        n2.ops().to("everyone").except(near.id()).emit("hi");
        assertThat(far.next().event()).isEqualTo("hi");

        n2.ops().to(far.id()).socketsLeave("everyone");
        await().atMost(Duration.ofSeconds(2)).until(() -> !far.getAllRooms().contains("everyone"));
        assertThat(near.getAllRooms()).contains("everyone");

        n1.ops().to(far.id()).disconnectSockets(false);
        await().atMost(Duration.ofSeconds(2)).until(() -> far.disconnects.size() == 1);
        assertThat(near.disconnects).isEmpty();
    }

    @Test
    void emitWithAckCollectsEveryClientAcrossNodesOrTimesOutWithThePartialAnswers() throws Exception {
        FakeSocket a = n1.connect();
        FakeSocket b = n2.connect();
        FakeSocket c = n3.connect();

        CompletableFuture<List<Object>> acks = n1.ops().timeout(Duration.ofSeconds(2)).emitWithAck("question").toCompletableFuture();
        answer(a, "a");
        answer(b, "b");
        answer(c, "c");
        assertThat(acks.get(3, TimeUnit.SECONDS)).containsExactlyInAnyOrder("a", "b", "c");

        CompletableFuture<List<Object>> partial = n2.ops().timeout(Duration.ofMillis(400)).emitWithAck("question").toCompletableFuture();
        answer(a, "a2");
        b.next();
        c.next();
        assertThatThrownBy(() -> partial.get(3, TimeUnit.SECONDS)).cause().isInstanceOf(ClusterTimeoutException.class)
                .satisfies(e -> assertThat(((ClusterTimeoutException) e).partialResults()).containsExactly("a2"));
    }

    @SuppressWarnings("unchecked")
    private static void answer(FakeSocket socket, String value) throws InterruptedException {
        Received question = socket.next();
        assertThat(question.ack()).isNotNull();
        ((AckCallback<Object>) question.ack()).onSuccess(value);
    }

    @Test
    void serverCountFollowsNodesThatLeaveAndRequestsStopWaitingForThem() {
        assertThat(n1.ops().serverCount().toCompletableFuture().join()).isEqualTo(3);

        n3.adapter().close();

        assertThat(n1.ops().serverCount().toCompletableFuture().join()).isEqualTo(2);
        n2.ops().onServerSideEmit("ask", (args, ack) -> ack.accept("n2"));
        // Waiting for the node that left would end in a ClusterTimeoutException instead of this answer.
        assertThat(n1.ops().serverSideEmitWithAck("ask").toCompletableFuture().join()).containsExactly("n2");
    }

    @Test
    void aLostConnectionFailsPendingRequestsAtOnce() {
        n3.transport().deaf(true);
        CompletableFuture<List<SocketDetails>> pending = n1.ops().fetchSockets().toCompletableFuture();

        n1.adapter().onConnectionLost();

        assertThatThrownBy(pending::join).cause().isInstanceOf(ClusterUnavailableException.class);
    }
}
