package io.realtime.gateway.server;

import com.corundumstudio.socketio.AckCallback;
import com.corundumstudio.socketio.SocketIOClient;
import com.corundumstudio.socketio.ack.AckManager;
import com.corundumstudio.socketio.scheduler.HashedWheelScheduler;
import io.realtime.cluster.SocketIds;
import io.realtime.gateway.socketio.GatewaySocket;
import io.realtime.gateway.socketio.SocketIoConnection;
import io.realtime.gateway.testing.RawWebSocket;
import io.realtime.gateway.testing.TestNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Server-to-client acks as counted: a client that never answers times out, one that leaves does not; a timeout
 * callback that throws leaves the connection's other callbacks called all the same.
 */
class ObservedAckManagerTest {

    private static double timeouts(TestNode node) {
        return value(node, "socketio_ack_timeouts_total ");
    }

    private static double value(TestNode node, String prefix) {
        return node.scrape().lines().filter(line -> line.startsWith(prefix))
                .mapToDouble(line -> Double.parseDouble(line.substring(prefix.length()))).findFirst().orElseThrow();
    }

    private static SocketIOClient connect(TestNode node, RawWebSocket ws) {
        assertThat(ws.nextText()).startsWith("0{");
        ws.sendText("40");
        String connected = ws.nextText();
        String sid = connected.substring(connected.indexOf("\"sid\":\"") + 7, connected.indexOf('"', connected.indexOf("\"sid\":\"") + 7));
        return node.server().getNamespace("").getClient(SocketIds.parse(sid));
    }

    @Test
    void anAckPendingWhenItsClientLeavesIsNoTimeoutButOneNeverAnsweredIs() {
        try (TestNode node = TestNode.start("--pingInterval=25000", "--pingTimeout=20000")) {
            AtomicInteger calledBack = new AtomicInteger();
            AckCallback<Object> leftPending = new AckCallback<>(Object.class, 30) {
                @Override
                public void onSuccess(Object result) {
                }

                @Override
                public void onTimeout() {
                    calledBack.incrementAndGet();
                }
            };
            RawWebSocket leaving = RawWebSocket.connect(node.webSocketUri("/socket.io/?EIO=4&transport=websocket"));
            connect(node, leaving).sendEvent("question", leftPending);
            assertThat(leaving.nextTextSkippingPings()).startsWith("42");
            leaving.close();
            await().atMost(Duration.ofSeconds(5)).until(() -> calledBack.get() == 1);
            assertThat(timeouts(node)).isZero();
            assertThat(value(node, "socketio_acks_pending ")).as("no longer pending").isZero();

            try (RawWebSocket silent = RawWebSocket.connect(node.webSocketUri("/socket.io/?EIO=4&transport=websocket"))) {
                connect(node, silent).sendEvent("question", new AckCallback<>(Object.class, 1) {
                    @Override
                    public void onSuccess(Object result) {
                    }
                });
                await().atMost(Duration.ofSeconds(5)).until(() -> timeouts(node) == 1);
            }
        }
    }

    @Test
    void aTimeoutCallbackThatThrowsDoesNotStrandTheOthersOfItsConnection() {
        try (TestNode node = TestNode.start("--pingInterval=25000", "--pingTimeout=20000")) {
            AtomicInteger calledBack = new AtomicInteger();
            RawWebSocket leaving = RawWebSocket.connect(node.webSocketUri("/socket.io/?EIO=4&transport=websocket"));
            SocketIOClient client = connect(node, leaving);
            for (int i = 0; i < 2; i++) {
                client.sendEvent("question", new AckCallback<>(Object.class, 30) {
                    @Override
                    public void onSuccess(Object result) {
                    }

                    @Override
                    public void onTimeout() {
                        calledBack.incrementAndGet();
                        throw new IllegalStateException("an application's callback failing");
                    }
                });
                assertThat(leaving.nextTextSkippingPings()).startsWith("42");
            }
            leaving.close();

            await().atMost(Duration.ofSeconds(5)).until(() -> calledBack.get() == 2);
            await().atMost(Duration.ofSeconds(5)).until(() -> value(node, "socketio_acks_pending ") == 0);
        }
    }

    @Test
    void anAckPendingWhenItsSocketLeavesTheNamespaceIsCalledBackThenAndNotAgainWhenTheConnectionEnds() {
        try (TestNode node = TestNode.start(server -> server.addNamespace("/room"), "--pingInterval=25000", "--pingTimeout=20000")) {
            AtomicInteger calledBack = new AtomicInteger();
            RawWebSocket ws = RawWebSocket.connect(node.webSocketUri("/socket.io/?EIO=4&transport=websocket"));
            connect(node, ws);
            // No timeout of its own: netty-socketio would hold it until the whole connection ended.
            joinRoom(node, ws).sendEvent("question", new AckCallback<>(Object.class) {
                @Override
                public void onSuccess(Object result) {
                }

                @Override
                public void onTimeout() {
                    calledBack.incrementAndGet();
                }
            });
            assertThat(ws.nextTextSkippingPings()).startsWith("42/room,");

            ws.sendText("41/room,");
            await().atMost(Duration.ofSeconds(5)).until(() -> calledBack.get() == 1);
            assertThat(timeouts(node)).as("the client left: no timeout of its").isZero();
            assertThat(value(node, "socketio_acks_pending ")).isZero();

            ws.close();
            await().atMost(Duration.ofSeconds(5)).until(() -> value(node, "socketio_sessions ") == 0);
            assertThat(calledBack).as("once, at the socket's end").hasValue(1);
        }
    }

    /** Joins {@code /room} on the connection of {@code ws}; its socket. */
    private static GatewaySocket joinRoom(TestNode node, RawWebSocket ws) {
        ws.sendText("40/room,");
        String connected = ws.nextTextSkippingPings();
        // The main namespace's own greetings may come first.
        for (int skipped = 0; !connected.startsWith("40/room,") && skipped < 5; skipped++) {
            connected = ws.nextTextSkippingPings();
        }
        assertThat(connected).startsWith("40/room,");
        String sid = connected.substring(connected.indexOf("\"sid\":\"") + 7, connected.indexOf('"', connected.indexOf("\"sid\":\"") + 7));
        return (GatewaySocket) node.server().getNamespace("/room").getClient(SocketIds.parse(sid));
    }

    @Test
    void anAckGivenUpByItsSocketIsForgottenByTheConnectionThatGoesOn() {
        try (TestNode node = TestNode.start(server -> server.addNamespace("/room"), "--pingInterval=25000", "--pingTimeout=20000");
             RawWebSocket ws = RawWebSocket.connect(node.webSocketUri("/socket.io/?EIO=4&transport=websocket"))) {
            connect(node, ws);
            AtomicInteger calledBack = new AtomicInteger();
            AtomicInteger answered = new AtomicInteger();
            List<Long> asked = new ArrayList<>();
            SocketIoConnection connection = null;
            // A long-lived connection joining and leaving a namespace, each time asked an ack without a timeout.
            for (int round = 1; round <= 3; round++) {
                GatewaySocket socket = joinRoom(node, ws);
                connection = socket.connection();
                socket.sendEvent("question", new AckCallback<>(Object.class) {
                    @Override
                    public void onSuccess(Object result) {
                        // The connection's empty answer that takes the ack out must never reach the application.
                        answered.incrementAndGet();
                    }

                    @Override
                    public void onTimeout() {
                        calledBack.incrementAndGet();
                    }
                });
                String question = ws.nextTextSkippingPings();
                assertThat(question).startsWith("42/room,");
                asked.add(Long.parseLong(question.substring("42/room,".length(), question.indexOf('['))));

                ws.sendText("41/room,");
                int expected = round;
                await().atMost(Duration.ofSeconds(5)).until(() -> calledBack.get() == expected);
            }

            AckManager acks = connection.getAckManager();
            UUID connectionId = connection.getSessionId();
            assertThat(asked).as("none still held by the connection that goes on")
                    .allSatisfy(index -> assertThat(acks.getCallback(connectionId, index)).isNull());
            assertThat(answered).hasValue(0);
            assertThat(value(node, "socketio_acks_pending ")).isZero();
        }
    }

    @Test
    void anAckIsSettledOnceWhateverCallsItBack() {
        HashedWheelScheduler scheduler = new HashedWheelScheduler();
        try {
            AtomicInteger timedOut = new AtomicInteger();
            AtomicInteger answered = new AtomicInteger();
            AtomicInteger countedTimeouts = new AtomicInteger();
            ObservedAckManager acks = new ObservedAckManager(scheduler, new io.realtime.gateway.stats.TrafficObserver() {
                @Override
                public void ackTimedOut() {
                    countedTimeouts.incrementAndGet();
                }
            });
            UUID session = UUID.randomUUID();
            long index = acks.registerAck(session, new AckCallback<>(Object.class) {
                @Override
                public void onSuccess(Object result) {
                    answered.incrementAndGet();
                }

                @Override
                public void onTimeout() {
                    timedOut.incrementAndGet();
                }
            });
            AckCallback<?> observed = acks.getCallback(session, index);

            // A timeout on one loop and a closing connection's call-back on another, then a late answer.
            observed.onTimeout();
            observed.onTimeout();
            observed.onSuccess(null);

            assertThat(timedOut).hasValue(1);
            assertThat(answered).hasValue(0);
            assertThat(countedTimeouts).hasValue(1);
        } finally {
            scheduler.shutdown();
        }
    }
}
