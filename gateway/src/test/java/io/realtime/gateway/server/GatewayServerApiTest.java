package io.realtime.gateway.server;

import com.corundumstudio.socketio.AckCallback;
import com.corundumstudio.socketio.AuthTokenResult;
import com.corundumstudio.socketio.AuthorizationResult;
import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.SocketIOClient;
import com.corundumstudio.socketio.SocketIONamespace;
import io.realtime.gateway.socketio.GatewaySocket;
import io.realtime.gateway.socketio.SocketActivity;
import io.realtime.gateway.socketio.SocketIoConnection;
import io.realtime.gateway.stats.DisconnectReason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A GatewayServer as an application written for netty-socketio uses it (its listeners, its configuration), driven by
 * a raw long-polling client: what such an application may count on, and what a stop tells it.
 */
class GatewayServerApiTest {

    private final Configuration configuration = new Configuration();
    private GatewayServer server;

    GatewayServerApiTest() {
        configuration.setHostname("127.0.0.1");
        configuration.setPort(0);
    }

    private GatewayServer server() {
        server = new GatewayServer(configuration, GatewayServerOptions.defaults());
        return server;
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    /** Longer than the default ping interval (25 s), which a poll with nothing else to take waits for. */
    private static final Duration TIMEOUT = Duration.ofSeconds(35);

    /** One Engine.IO v4 long-polling session of a raw client. */
    private record Polling(HttpClient http, URI session) {
        static Polling open(GatewayServer server) throws Exception {
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + server.localAddress().getPort() + "/socket.io/?EIO=4&transport=polling";
            String open = http.send(HttpRequest.newBuilder(URI.create(base)).timeout(TIMEOUT).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            int start = open.indexOf("\"sid\":\"") + 7;
            return new Polling(http, URI.create(base + "&sid=" + open.substring(start, open.indexOf('"', start))));
        }

        void post(String payload) throws Exception {
            http.send(HttpRequest.newBuilder(session).timeout(TIMEOUT).POST(HttpRequest.BodyPublishers.ofString(payload)).build(),
                    HttpResponse.BodyHandlers.ofString());
        }

        String poll() throws Exception {
            return http.send(HttpRequest.newBuilder(session).timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofString()).body();
        }
    }

    @Test
    void stopEndsAPollingSocketBetweenTwoPollsAndItsListenersHearWhy() throws Exception {
        List<String> reasons = new CopyOnWriteArrayList<>();
        server().addDisconnectListener(client -> reasons.add(((GatewaySocket) client).disconnectReason()));
        server.startAsync().syncUninterruptibly();
        Polling client = Polling.open(server);
        client.post("40");
        assertThat(client.poll()).startsWith("40{");
        // No poll waits now: the client is between two polls (or gone without a word).

        server.stop();

        assertThat(reasons).containsExactly("server shutting down");
    }

    @Test
    void aDisconnectListenerThrowingAnErrorDoesNotKeepTheConnectionsOtherSocketsFromEnding() throws Exception {
        List<String> ended = new CopyOnWriteArrayList<>();
        server().addDisconnectListener(client -> {
            ended.add("/");
            throw new AssertionError("an application's bug");
        });
        server.addNamespace("/chat").addDisconnectListener(client -> {
            ended.add("/chat");
            throw new AssertionError("an application's bug");
        });
        server.startAsync().syncUninterruptibly();
        Polling client = Polling.open(server);
        client.post("40\u001e40/chat,");
        await().atMost(Duration.ofSeconds(5)).until(() -> server.getNamespace("/chat").getAllClients().size() == 1);

        client.post("1");

        await().atMost(Duration.ofSeconds(5)).until(() -> ended.size() == 2);
        assertThat(ended).containsExactlyInAnyOrder("/", "/chat");
        assertThat(server.sessionCount()).isZero();
        Polling next = Polling.open(server);
        next.post("40");
        assertThat(next.poll()).startsWith("40{");
    }

    @Test
    void whatTheAuthorizationListenerGivesToKeepIsInEverySocketOfTheConnection() throws Exception {
        configuration.setAuthorizationListener(data -> new AuthorizationResult(true, Map.of("userId", "u1")));
        Map<String, Object> seen = new ConcurrentHashMap<>();
        server().addConnectListener(client -> seen.put("/", client.get("userId")));
        server.addNamespace("/chat").addConnectListener(client -> seen.put("/chat", client.get("userId")));
        server.startAsync().syncUninterruptibly();

        Polling.open(server).post("40\u001e40/chat,");

        await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 2);
        assertThat(seen).containsEntry("/", "u1").containsEntry("/chat", "u1");
    }

    @Test
    void whatAnAuthListenerAsksOfTheClientIsDoneOnceItIsAdmitted() throws Exception {
        Set<String> roomsAtConnect = new CopyOnWriteArraySet<>();
        AtomicInteger timedOut = new AtomicInteger();
        AtomicReference<SocketIOClient> kept = new AtomicReference<>();
        SocketIONamespace members = server().addNamespace("/members");
        members.addAuthTokenListener((auth, client) -> {
            client.joinRoom("vip");
            client.sendEvent("welcome", 1);
            boolean admitted = ((Map<?, ?>) auth).containsKey("token");
            if (admitted) {
                kept.set(client);
            } else {
                client.sendEvent("question", new AckCallback<>(Object.class) {
                    @Override
                    public void onSuccess(Object result) {
                    }

                    @Override
                    public void onTimeout() {
                        timedOut.incrementAndGet();
                    }
                });
            }
            return admitted ? AuthTokenResult.AuthTokenResultSuccess : new AuthTokenResult(false, "no token");
        });
        members.addConnectListener(client -> roomsAtConnect.addAll(client.getAllRooms()));
        server.startAsync().syncUninterruptibly();
        Polling client = Polling.open(server);

        client.post("40/members,{}");
        assertThat(client.poll()).as("refused: nothing it was asked to send").startsWith("44/members,").doesNotContain("welcome");
        assertThat(timedOut.get()).as("the refused client's ack").isEqualTo(1);

        client.post("40/members,{\"token\":\"t\"}");
        StringBuilder received = new StringBuilder();
        await().atMost(Duration.ofSeconds(5)).until(() -> received.append(client.poll()).toString().contains("welcome"));
        assertThat(received.toString()).matches("40/members,\\{.*\\}\u001e42/members,\\[\"welcome\",1]");
        assertThat(roomsAtConnect).contains("vip");
        // An application that kept the client it authenticated sends to the admitted socket.
        kept.get().sendEvent("later", 2);
        assertThat(client.poll()).isEqualTo("42/members,[\"later\",2]");
    }

    /** A socket activity listener whose callback {@code failing} throws, as an application's bug would. */
    /** Refusal data Jackson cannot write: its getter throws. */
    public static final class Unwritable {
        public String getReason() {
            throw new IllegalStateException("not today");
        }
    }

    @Test
    void aRefusalWhoseDataCannotBeEncodedStillReachesTheClientWithItsMessage() throws Exception {
        server().addNamespace("/members").addAuthTokenListener((auth, client) -> new AuthTokenResult(false, new Unwritable()));
        server.startAsync().syncUninterruptibly();
        Polling client = Polling.open(server);

        client.post("40/members,{}");
        // Not silence until the client's own timeout: a CONNECT_ERROR, without the data that could not be written.
        assertThat(client.poll()).startsWith("44/members,{\"message\":");
    }

    private static final class FailingActivity implements SocketActivity {
        final Set<String> called = new CopyOnWriteArraySet<>();
        private final String failing;
        private final String failure;

        /** @param failure what {@code failing} throws: a RuntimeException, or an Error the JVM survives */
        FailingActivity(String failing, String failure) {
            this.failing = failing;
            this.failure = failure;
        }

        private void fail(String callback) {
            called.add(callback);
            if (callback.equals(failing)) {
                String message = "an application's bug in " + callback;
                switch (failure) {
                    case "IllegalStateException" -> throw new IllegalStateException(message);
                    case "AssertionError" -> throw new AssertionError(message);
                    // A class of the application that failed to load or initialize.
                    case "NoClassDefFoundError" -> throw new NoClassDefFoundError(message);
                    // Caught where the activity is guarded, its stack has unwound.
                    case "StackOverflowError" -> throw new StackOverflowError(message);
                    default -> throw new IllegalArgumentException(failure);
                }
            }
        }

        @Override
        public void opened(SocketIoConnection connection) {
            fail("opened");
        }

        @Override
        public void closed(SocketIoConnection connection, DisconnectReason reason) {
            fail("closed");
        }

        @Override
        public void roomJoined(GatewaySocket socket, String room) {
            fail("roomJoined");
        }

        @Override
        public void eventReceived(GatewaySocket socket, String event, List<Object> args) {
            fail("eventReceived");
        }

        @Override
        public void eventSent(GatewaySocket socket, String event, List<?> args) {
            fail("eventSent");
        }

        @Override
        public boolean followsEvents() {
            return true;
        }
    }

    static Stream<Arguments> failingCallbacks() {
        return Stream.of("opened", "roomJoined", "eventReceived", "eventSent", "closed").flatMap(callback ->
                Stream.of("IllegalStateException", "AssertionError", "NoClassDefFoundError", "StackOverflowError")
                        .map(failure -> Arguments.of(callback, failure)));
    }

    @ParameterizedTest(name = "{0} throws {1}")
    @MethodSource("failingCallbacks")
    void aSocketActivityListenerThatThrowsBreaksNeitherTheSocketNorItsConnectEventsAndClose(String failing, String failure)
            throws Exception {
        FailingActivity activity = new FailingActivity(failing, failure);
        Set<String> connected = new CopyOnWriteArraySet<>();
        Set<String> disconnected = new CopyOnWriteArraySet<>();
        AtomicInteger questionsTimedOut = new AtomicInteger();
        server().setSocketActivity(activity);
        server.addConnectListener(client -> {
            client.joinRoom("lobby");
            connected.add(client.getSessionId().toString());
        });
        server.addDisconnectListener(client -> disconnected.add(client.getSessionId().toString()));
        server.addEventListener("ask", Object.class, (client, data, ack) -> {
            client.sendEvent("question", new AckCallback<>(Object.class) {
                @Override
                public void onSuccess(Object result) {
                }

                @Override
                public void onTimeout() {
                    questionsTimedOut.incrementAndGet();
                }
            });
            ack.sendAckData("ok");
        });
        server.startAsync().syncUninterruptibly();
        Polling client = Polling.open(server);

        client.post("40");
        assertThat(client.poll()).startsWith("40{");
        await().atMost(Duration.ofSeconds(5)).until(() -> connected.size() == 1);
        assertThat(server.getRoomOperations("lobby").getClients()).hasSize(1);

        client.post("421[\"ask\"]");
        StringBuilder received = new StringBuilder();
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            String all = received.append(client.poll()).toString();
            return all.contains("\"question\"]") && all.contains("431[\"ok\"]");
        });

        // The Engine.IO close packet: the connection ends, and the ack it never gave is timed out.
        client.post("1");
        await().atMost(Duration.ofSeconds(5)).until(() -> disconnected.equals(connected) && questionsTimedOut.get() == 1);
        assertThat(activity.called).containsExactlyInAnyOrder("opened", "roomJoined", "eventReceived", "eventSent", "closed");

        // The node serves on.
        Polling next = Polling.open(server);
        next.post("40");
        assertThat(next.poll()).startsWith("40{");
    }
}
