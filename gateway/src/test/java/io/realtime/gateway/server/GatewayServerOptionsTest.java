package io.realtime.gateway.server;

import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.Transport;
import io.netty.channel.EventLoopGroup;
import io.realtime.gateway.admission.AdmissionOptions;
import io.realtime.gateway.engineio.EngineOptions;
import io.realtime.gateway.limits.EventLimits;
import io.realtime.gateway.stats.TrafficObserver;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GatewayServerOptionsTest {

    @Test
    void defaultsAreSocketIosOwnWithNoLimitsAndNoTls() {
        GatewayServerOptions options = GatewayServerOptions.defaults();

        assertThat(options.engine()).isEqualTo(EngineOptions.defaults());
        assertThat(options.connectTimeout()).isEqualTo(Duration.ofSeconds(45));
        assertThat(options.maxAttachments()).isEqualTo(10);
        assertThat(options.eventLimits()).isEqualTo(EventLimits.UNLIMITED);
        assertThat(options.admission()).isEqualTo(AdmissionOptions.UNLIMITED);
        assertThat(options.tls()).isEmpty();
        assertThat(options.observer()).isSameAs(TrafficObserver.NONE);
    }

    @Test
    void eventLoopsAreOnePerCoreUnlessConfigured() {
        assertThat(GatewayServer.eventLoops(0)).isEqualTo(io.netty.util.NettyRuntime.availableProcessors());
        assertThat(GatewayServer.eventLoops(3)).isEqualTo(3);
    }

    @Test
    void lentEventLoopsServeTheConnectionsAndStayWithTheirOwnerAfterStop() throws Exception {
        Configuration configuration = new Configuration();
        configuration.setHostname("127.0.0.1");
        configuration.setPort(0);
        configuration.setWorkerThreads(2);
        EventLoopGroup loops = GatewayServer.newEventLoops(configuration);
        try {
            GatewayServer server = new GatewayServer(configuration, GatewayServerOptions.builder().eventLoops(loops).build());
            assertThat(server.options().mutate().build().eventLoops()).contains(loops);
            server.startAsync().syncUninterruptibly();
            try {
                HttpResponse<String> handshake = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                        "http://127.0.0.1:" + server.localAddress().getPort() + "/socket.io/?EIO=4&transport=polling")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(handshake.statusCode()).isEqualTo(200);
                assertThat(handshake.body()).startsWith("0{\"sid\":");
            } finally {
                server.stop();
            }
            assertThat(loops.isShuttingDown()).isFalse();
            assertThat(loops.submit(() -> "still running").get(5, TimeUnit.SECONDS)).isEqualTo("still running");
        } finally {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void stopEndsAPollingSocketBetweenTwoPollsAndItsListenersHearWhy() throws Exception {
        Configuration configuration = new Configuration();
        configuration.setHostname("127.0.0.1");
        configuration.setPort(0);
        GatewayServer server = new GatewayServer(configuration, GatewayServerOptions.defaults());
        java.util.List<String> reasons = new java.util.concurrent.CopyOnWriteArrayList<>();
        server.addDisconnectListener(client -> reasons.add(((io.realtime.gateway.socketio.GatewaySocket) client).disconnectReason()));
        server.startAsync().syncUninterruptibly();
        try {
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + server.localAddress().getPort() + "/socket.io/?EIO=4&transport=polling";
            String open = http.send(HttpRequest.newBuilder(URI.create(base)).build(), HttpResponse.BodyHandlers.ofString()).body();
            String sid = open.substring(open.indexOf("\"sid\":\"") + 7, open.indexOf('"', open.indexOf("\"sid\":\"") + 7));
            URI session = URI.create(base + "&sid=" + sid);
            assertThat(http.send(HttpRequest.newBuilder(session).POST(HttpRequest.BodyPublishers.ofString("40")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            assertThat(http.send(HttpRequest.newBuilder(session).build(), HttpResponse.BodyHandlers.ofString()).body()).startsWith("40{");
            // No poll waits now: the client is between two polls (or gone without a word).
        } finally {
            server.stop();
        }
        assertThat(reasons).containsExactly("server shutting down");
    }

    @Test
    void whatTheAuthorizationListenerGivesToKeepIsInEverySocketOfTheConnection() throws Exception {
        Configuration configuration = new Configuration();
        configuration.setHostname("127.0.0.1");
        configuration.setPort(0);
        configuration.setAuthorizationListener(data -> new com.corundumstudio.socketio.AuthorizationResult(true, Map.of("userId", "u1")));
        GatewayServer server = new GatewayServer(configuration, GatewayServerOptions.defaults());
        java.util.Map<String, Object> seen = new java.util.concurrent.ConcurrentHashMap<>();
        server.addConnectListener(client -> seen.put("/", client.get("userId")));
        server.addNamespace("/chat").addConnectListener(client -> seen.put("/chat", client.get("userId")));
        server.startAsync().syncUninterruptibly();
        try {
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + server.localAddress().getPort() + "/socket.io/?EIO=4&transport=polling";
            String open = http.send(HttpRequest.newBuilder(URI.create(base)).build(), HttpResponse.BodyHandlers.ofString()).body();
            String sid = open.substring(open.indexOf("\"sid\":\"") + 7, open.indexOf('"', open.indexOf("\"sid\":\"") + 7));
            URI session = URI.create(base + "&sid=" + sid);
            http.send(HttpRequest.newBuilder(session).POST(HttpRequest.BodyPublishers.ofString("40\u001e40/chat,")).build(),
                    HttpResponse.BodyHandlers.ofString());
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 2);
            assertThat(seen).containsEntry("/", "u1").containsEntry("/chat", "u1");
        } finally {
            server.stop();
        }
    }

    @Test
    void whatAnAuthListenerAsksOfTheClientIsDoneOnceItIsAdmitted() throws Exception {
        Configuration configuration = new Configuration();
        configuration.setHostname("127.0.0.1");
        configuration.setPort(0);
        GatewayServer server = new GatewayServer(configuration, GatewayServerOptions.defaults());
        java.util.Set<String> roomsAtConnect = new java.util.concurrent.CopyOnWriteArraySet<>();
        com.corundumstudio.socketio.SocketIONamespace members = server.addNamespace("/members");
        java.util.concurrent.atomic.AtomicInteger timedOut = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicReference<com.corundumstudio.socketio.SocketIOClient> kept = new java.util.concurrent.atomic.AtomicReference<>();
        members.addAuthTokenListener((auth, client) -> {
            client.joinRoom("vip");
            client.sendEvent("welcome", 1);
            boolean admitted = ((Map<?, ?>) auth).containsKey("token");
            if (admitted) {
                kept.set(client);
            } else {
                client.sendEvent("question", new com.corundumstudio.socketio.AckCallback<>(Object.class) {
                    @Override
                    public void onSuccess(Object result) {
                    }

                    @Override
                    public void onTimeout() {
                        timedOut.incrementAndGet();
                    }
                });
            }
            return admitted ? com.corundumstudio.socketio.AuthTokenResult.AuthTokenResultSuccess
                    : new com.corundumstudio.socketio.AuthTokenResult(false, "no token");
        });
        members.addConnectListener(client -> roomsAtConnect.addAll(client.getAllRooms()));
        server.startAsync().syncUninterruptibly();
        try {
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + server.localAddress().getPort() + "/socket.io/?EIO=4&transport=polling";
            String open = http.send(HttpRequest.newBuilder(URI.create(base)).build(), HttpResponse.BodyHandlers.ofString()).body();
            String sid = open.substring(open.indexOf("\"sid\":\"") + 7, open.indexOf('"', open.indexOf("\"sid\":\"") + 7));
            URI session = URI.create(base + "&sid=" + sid);
            http.send(HttpRequest.newBuilder(session).POST(HttpRequest.BodyPublishers.ofString("40/members,{}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(http.send(HttpRequest.newBuilder(session).build(), HttpResponse.BodyHandlers.ofString()).body())
                    .as("refused: nothing it was asked to send").startsWith("44/members,").doesNotContain("welcome");
            http.send(HttpRequest.newBuilder(session).POST(HttpRequest.BodyPublishers.ofString("40/members,{\"token\":\"t\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            StringBuilder received = new StringBuilder();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> {
                received.append(http.send(HttpRequest.newBuilder(session).build(), HttpResponse.BodyHandlers.ofString()).body());
                return received.toString().contains("welcome");
            });
            assertThat(received.toString()).matches("40/members,\\{.*\\}\u001e42/members,\\[\"welcome\",1]");
            assertThat(roomsAtConnect).contains("vip");
            assertThat(timedOut.get()).as("the refused client's ack").isEqualTo(1);
            // An application that kept the client it authenticated sends to the admitted socket.
            kept.get().sendEvent("later", 2);
            assertThat(http.send(HttpRequest.newBuilder(session).build(), HttpResponse.BodyHandlers.ofString()).body())
                    .isEqualTo("42/members,[\"later\",2]");
        } finally {
            server.stop();
        }
    }

    @Test
    void mutateKeepsEveryValueButTheOneChanged() {
        GatewayServerOptions options = GatewayServerOptions.builder()
                .connectTimeout(Duration.ofSeconds(3)).maxAttachments(2)
                .eventLimits(new EventLimits(5, 10, 3)).admission(new AdmissionOptions(100, 5, 2)).build();

        GatewayServerOptions changed = options.mutate().maxAttachments(7).build();

        assertThat(changed.maxAttachments()).isEqualTo(7);
        assertThat(changed.connectTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(changed.eventLimits()).isEqualTo(new EventLimits(5, 10, 3));
        assertThat(changed.admission()).isEqualTo(new AdmissionOptions(100, 5, 2));
        assertThat(options.maxAttachments()).isEqualTo(2);
    }

    @Test
    void valuesANodeCannotRunWithAreRefusedWhenBuilt() {
        assertThatThrownBy(() -> GatewayServerOptions.builder().connectTimeout(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("connectTimeout");
        assertThatThrownBy(() -> GatewayServerOptions.builder().maxAttachments(-1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxAttachments");
        assertThatThrownBy(() -> GatewayServerOptions.builder().engine(null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("engine");
        assertThatThrownBy(() -> new AdmissionOptions(-1, 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxConnections");
    }

    @Test
    void aServerFromNettySocketIosConfigurationAloneTakesItsEngineSettings() {
        Configuration configuration = new Configuration();
        configuration.setPingInterval(1234);
        configuration.setPingTimeout(567);
        configuration.setMaxFramePayloadLength(4096);
        configuration.setTransports(Transport.WEBSOCKET);

        GatewayServer server = new GatewayServer(configuration);

        EngineOptions engine = server.options().engine();
        assertThat(engine.pingInterval()).isEqualTo(Duration.ofMillis(1234));
        assertThat(engine.pingTimeout()).isEqualTo(Duration.ofMillis(567));
        assertThat(engine.maxPayload()).isEqualTo(4096);
        assertThat(engine.transports()).containsExactly(EngineOptions.WEBSOCKET);
        assertThat(server.options().admission()).isEqualTo(AdmissionOptions.UNLIMITED);
    }

    @Test
    void theMainNamespaceIsFoundByEitherOfItsNames() {
        GatewayServer server = new GatewayServer(new Configuration());

        assertThat(server.getNamespace("/")).isNotNull().isSameAs(server.getNamespace(""));
        assertThat(server.addNamespace("/")).isSameAs(server.getNamespace(""));
        assertThat(server.getAllNamespaces()).hasSize(1);
    }
}
