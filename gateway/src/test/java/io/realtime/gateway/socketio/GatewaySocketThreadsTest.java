package io.realtime.gateway.socketio;

import com.corundumstudio.socketio.AckCallback;
import com.corundumstudio.socketio.SocketIONamespace;
import io.realtime.gateway.testing.ProductNode;
import io.realtime.gateway.testing.ProductNode.Client;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A socket ends, and registers its acks, on its connection's event loop, whichever thread asks: an application
 * thread or a cluster request must not end it between an event handler's steps, nor register an ack just after the
 * close cleared the connection's acks.
 */
class GatewaySocketThreadsTest {

    private static ProductNode node;

    @BeforeAll
    static void start() {
        node = ProductNode.start(Map.of(), "--pingInterval=25000", "--dashboardInterval=60000");
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static GatewaySocket onlySocketOf(SocketIONamespace namespace) {
        await().atMost(Duration.ofSeconds(5)).until(() -> namespace.getAllClients().size() == 1);
        return (GatewaySocket) namespace.getAllClients().iterator().next();
    }

    @Test
    void aDisconnectFromAnotherThreadEndsTheSocketOnItsLoop() {
        SocketIONamespace namespace = node.node().server().addNamespace("/ended-elsewhere");
        AtomicReference<Thread> listenerThread = new AtomicReference<>();
        namespace.addDisconnectListener(client -> listenerThread.set(Thread.currentThread()));
        try (Client client = node.open("/ended-elsewhere", null)) {
            GatewaySocket socket = onlySocketOf(namespace);

            socket.disconnect();

            assertThat(client.ws().nextText()).isEqualTo("41/ended-elsewhere,");
            await().atMost(Duration.ofSeconds(5)).until(() -> listenerThread.get() != null);
            assertThat(socket.engineSession().eventLoop().inEventLoop(listenerThread.get()))
                    .as("disconnect listener ran on the socket's loop, not on %s", listenerThread.get().getName()).isTrue();
            assertThat(socket.isDisconnected()).isTrue();
            assertThat(socket.disconnectReason()).isEqualTo("server namespace disconnect");
            assertThat(namespace.getAllClients()).isEmpty();
        }
    }

    @Test
    void anAckAskedFromAnotherThreadIsAnsweredAndOneAskedAfterTheCloseTimesOut() throws Exception {
        SocketIONamespace namespace = node.node().server().addNamespace("/acks-elsewhere");
        Client client = node.open("/acks-elsewhere", null);
        GatewaySocket socket = onlySocketOf(namespace);

        CompletableFuture<Object> answered = new CompletableFuture<>();
        socket.sendEvent("question", outcome(answered), 1);
        String asked = client.ws().nextText();
        assertThat(asked).matches("42/acks-elsewhere,\\d+\\[\"question\",1]");
        String ackId = asked.substring("42/acks-elsewhere,".length(), asked.indexOf('['));
        client.ws().sendText("43/acks-elsewhere," + ackId + "[\"answer\"]");
        assertThat(answered.get(5, TimeUnit.SECONDS)).isEqualTo("answer");

        client.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> !socket.isLive());
        CompletableFuture<Object> late = new CompletableFuture<>();
        socket.sendEvent("question", outcome(late), 2);
        assertThat(late.get(5, TimeUnit.SECONDS)).isEqualTo("timeout");
    }

    @Test
    void aSocketHeldPastTheNodesStopTimesOutItsAckOnTheCallersThread() throws Exception {
        GatewaySocket socket;
        try (ProductNode stopped = ProductNode.start(Map.of(), "--dashboardInterval=60000")) {
            SocketIONamespace namespace = stopped.node().server().addNamespace("/held");
            try (Client client = stopped.open("/held", null)) {
                socket = onlySocketOf(namespace);
            }
        }
        // The node and its loops are gone; an application thread (a timer, a shutdown hook) still holds the socket.
        CompletableFuture<Object> late = new CompletableFuture<>();
        socket.sendEvent("question", outcome(late), 1);
        assertThat(late.getNow("not called")).isEqualTo("timeout");
    }

    /** A join from another thread after the socket ended (its rooms left) joins nothing: no dead id in a room. */
    @Test
    void aJoinFromAnotherThreadAfterTheEndJoinsNothing() {
        SocketIONamespace namespace = node.node().server().addNamespace("/joined-late");
        GatewaySocket socket;
        try (Client client = node.open("/joined-late", null)) {
            socket = onlySocketOf(namespace);
            socket.joinRoom("before");
        }
        await().atMost(Duration.ofSeconds(5)).until(socket::isDisconnected);

        socket.joinRoom("after");
        socket.joinRooms(java.util.Set.of("after", "later"));

        assertThat(socket.getAllRooms()).isEmpty();
        for (String room : new String[] {"before", "after", "later"}) {
            assertThat(namespace.getRoomOperations(room).getClients()).as(room).isEmpty();
        }
    }

    private static AckCallback<Object> outcome(CompletableFuture<Object> result) {
        return new AckCallback<>(Object.class) {
            @Override
            public void onSuccess(Object answer) {
                result.complete(answer);
            }

            @Override
            public void onTimeout() {
                result.complete("timeout");
            }
        };
    }
}
