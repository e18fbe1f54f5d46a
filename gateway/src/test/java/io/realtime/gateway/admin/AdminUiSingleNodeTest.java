package io.realtime.gateway.admin;

import com.corundumstudio.socketio.AuthTokenResult;
import com.corundumstudio.socketio.SocketIONamespace;
import com.fasterxml.jackson.databind.JsonNode;
import io.realtime.gateway.testing.ProductNode;
import io.realtime.gateway.testing.RawWebSocket;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A node without Redis: sessions in memory; and a node with the UI off has neither namespace nor page. */
class AdminUiSingleNodeTest {

    @Test
    void sessionsLiveInMemoryOnASingleNode() {
        Map<String, String> env = Map.of("ADMIN_UI", "production", "ADMIN_UI_USERNAME", "admin",
                "ADMIN_UI_PASSWORD_HASH", AdminUiTest.HASH, "ADMIN_UI_NAMESPACE", "/ops");
        try (ProductNode node = ProductNode.start(env)) {
            String session;
            try (AdminClient admin = AdminClient.connect(node, "/ops", AdminUiTest.LOGIN)) {
                session = admin.await("session", args -> true).get(0).asText();
                admin.await("server_stats", args -> args.get(0).get("serverId").asText().length() > 0);
                assertThat(admin.find("all_sockets", args -> true)).isEmpty();
            }
            try (AdminClient reloaded = AdminClient.connect(node, "/ops", "{\"sessionId\":\"" + session + "\"}")) {
                assertThat(reloaded.isConnected()).isTrue();
            }
            try (AdminClient forged = AdminClient.connect(node, "/ops", "{\"sessionId\":\"" + session.replace(session.charAt(0), 'x') + "\"}")) {
                assertThat(forged.connectAnswer()).isEqualTo("44/ops,{\"message\":\"invalid credentials\"}");
            }
        }
    }

    /**
     * After five failed logins from an address within a minute, its next ones are refused without hashing the
     * password, the right one included; the operator's existing session still works. A hash of cost under 10 is
     * accepted with a warning.
     */
    @Test
    void anAddressThatFailedFiveTimesIsRefusedForAWhileAndSessionsStillWork() {
        Map<String, String> env = Map.of("ADMIN_UI", "production", "ADMIN_UI_USERNAME", "admin",
                "ADMIN_UI_PASSWORD_HASH", AdminUiTest.HASH);
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(AdminUi.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged = new ch.qos.logback.core.read.ListAppender<>();
        logged.start();
        logger.addAppender(logged);
        try (ProductNode node = ProductNode.start(env)) {
            assertThat(logged.list).anySatisfy(event -> {
                assertThat(event.getLevel()).isEqualTo(ch.qos.logback.classic.Level.WARN);
                assertThat(event.getFormattedMessage()).contains("bcrypt cost 4");
            });
            String session;
            try (AdminClient admin = AdminClient.connect(node, AdminUiTest.LOGIN)) {
                session = admin.await("session", args -> true).get(0).asText();
            }
            for (int i = 0; i < 5; i++) {
                String auth = i == 2 ? "{\"username\":\"root\",\"password\":\"guess\"}" : "{\"username\":\"admin\",\"password\":\"guess" + i + "\"}";
                try (AdminClient wrong = AdminClient.connect(node, auth)) {
                    assertThat(wrong.connectAnswer()).as(auth).isEqualTo("44/admin,{\"message\":\"invalid credentials\"}");
                }
            }
            try (AdminClient right = AdminClient.connect(node, AdminUiTest.LOGIN)) {
                assertThat(right.connectAnswer()).isEqualTo("44/admin,{\"message\":\"" + AdminAuthenticator.TOO_MANY_FAILURES + "\"}");
            }
            try (AdminClient reloaded = AdminClient.connect(node, "{\"sessionId\":\"" + session + "\"}")) {
                assertThat(reloaded.isConnected()).isTrue();
            }
        } finally {
            logger.detachAppender(logged);
        }
    }

    /**
     * A development-mode UI gets its all_sockets while the hashing thread is busy with other logins: the listing has
     * its own thread. The password hash is slow on purpose (cost 14); the five wrong logins sent at once keep the
     * hashing thread busy for seconds.
     */
    @Test
    void theSocketListingDoesNotWaitForPasswordChecks() {
        String hash = at.favre.lib.crypto.bcrypt.BCrypt.withDefaults().hashToString(14, AdminUiTest.PASSWORD.toCharArray());
        Map<String, String> env = Map.of("ADMIN_UI", "development", "ADMIN_UI_USERNAME", "admin",
                "ADMIN_UI_PASSWORD_HASH", hash);
        try (ProductNode node = ProductNode.start(env)) {
            String session;
            try (AdminClient admin = AdminClient.connect(node, AdminUiTest.LOGIN)) {
                session = admin.await("session", args -> true).get(0).asText();
            }
            List<AdminClient> wrong = new ArrayList<>();
            try {
                for (int i = 0; i < 5; i++) {
                    wrong.add(AdminClient.start(node, "{\"username\":\"admin\",\"password\":\"guess" + i + "\"}"));
                }
                // Once the first is answered the other four, sent before it, are queued or being hashed.
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                        .until(() -> wrong.stream().anyMatch(client -> client.connectAnswer() != null));
                try (AdminClient reloaded = AdminClient.connect(node, "{\"sessionId\":\"" + session + "\"}")) {
                    // Behind four cost-14 checks (over a second each) the listing would wait well past this.
                    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(3))
                            .until(() -> reloaded.find("all_sockets", args -> true).isPresent());
                }
                assertThat(wrong).as("four checks were still to come").anyMatch(client -> client.connectAnswer() == null);
            } finally {
                wrong.forEach(AdminClient::close);
            }
        }
    }

    /** As bcryptjs (the Admin UI's own server), a password is read up to its 72nd byte, never refused for its length. */
    @Test
    void aPasswordOfMoreThan72BytesCountsUpToItsSeventySecond() {
        String password = "x".repeat(80) + "tail";
        // bcryptjs.hashSync(password, 4)
        Map<String, String> env = Map.of("ADMIN_UI", "production", "ADMIN_UI_USERNAME", "admin",
                "ADMIN_UI_PASSWORD_HASH", "$2a$04$FWdz472l2RGRR.py/Pav0uB0Tsk2jY1ahxV2rHHu5sJ5LfKnJQ3KC");
        try (ProductNode node = ProductNode.start(env)) {
            for (String accepted : new String[] {password, "x".repeat(72)}) {
                try (AdminClient admin = AdminClient.connect(node, "{\"username\":\"admin\",\"password\":\"" + accepted + "\"}")) {
                    assertThat(admin.isConnected()).as("%d bytes", accepted.length()).isTrue();
                }
            }
            try (AdminClient wrong = AdminClient.connect(node, "{\"username\":\"admin\",\"password\":\"" + "y".repeat(90) + "\"}")) {
                assertThat(wrong.connectAnswer()).isEqualTo("44/admin,{\"message\":\"invalid credentials\"}");
            }
        }
    }

    @Test
    void noAuthenticationWhenExplicitlyTurnedOff() {
        try (ProductNode node = ProductNode.start(Map.of("ADMIN_UI", "development", "ADMIN_UI_AUTH", "none"));
             AdminClient admin = AdminClient.connect(node, "{}")) {
            assertThat(admin.isConnected()).isTrue();
            admin.await("all_sockets", args -> args.get(0).isArray());
        }
    }

    @Test
    void aConnectionsSocketsShareItsClientIdAndTheAdminsOwnSocketIsListedWithItsTransport() throws Exception {
        try (ProductNode node = ProductNode.start(Map.of("ADMIN_UI", "development", "ADMIN_UI_AUTH", "none"), "--pingInterval=25000");
             RawWebSocket app = RawWebSocket.connect(node.webSocketUri("/socket.io/?EIO=4&transport=websocket"))) {
            String engineSid = AdminClient.JSON.readTree(app.nextText().substring(1)).get("sid").asText();
            app.sendText("40");
            assertThat(app.nextText()).startsWith("40{");
            app.sendText("40/chat,");
            assertThat(app.nextText()).startsWith("40/chat,{");

            try (AdminClient admin = AdminClient.connect(node, "{}")) {
                String adminSid = AdminClient.JSON.readTree(admin.connectAnswer().substring(admin.connectAnswer().indexOf('{')))
                        .get("sid").asText();
                JsonNode sockets = admin.await("all_sockets", args -> args.get(0).isArray()).get(0);
                List<JsonNode> apps = new ArrayList<>();
                JsonNode own = null;
                for (JsonNode socket : sockets) {
                    if (socket.get("id").asText().equals(adminSid)) {
                        own = socket;
                    } else if (!socket.get("nsp").asText().equals("/admin")) {
                        apps.add(socket);
                    }
                }
                // instrument()'s clientId: the connection's Engine.IO id, cut to 12 characters, on each of its sockets.
                assertThat(apps).extracting(socket -> socket.get("nsp").asText()).containsExactlyInAnyOrder("/", "/chat");
                assertThat(apps).extracting(socket -> socket.get("clientId").asText())
                        .containsOnly(engineSid.substring(0, 12));
                assertThat(own).isNotNull();
                assertThat(own.get("transport").asText()).isEqualTo("websocket");
                assertThat(own.get("clientId").isNull()).isFalse();
            }
        }
    }

    /**
     * instrument() hears a socket before the application does: the UI gets socket_connected ahead of what the
     * application's connect listener does (a join here), on a namespace added after the UI too, and socket_updated
     * with the socket's data each time the application replaces it or changes one of its entries (the _admin entry,
     * which a replaced map gets back, never shown). Data that is not a map stays the application's value.
     */
    @Test
    @SuppressWarnings("unchecked")
    void theUiHearsASocketBeforeTheApplicationAndEachChangeOfItsData() throws Exception {
        try (ProductNode node = ProductNode.start(Map.of("ADMIN_UI", "development", "ADMIN_UI_AUTH", "none"))) {
            SocketIONamespace profile = node.node().server().addNamespace("/profile");
            profile.addAuthTokenListener((auth, client) -> {
                client.set("data", "from the handshake");
                return AuthTokenResult.AuthTokenResultSuccess;
            });
            profile.addConnectListener(client -> {
                client.joinRoom("greeted");
                client.set("data", new HashMap<>(Map.of("name", "zoe")));
            });
            profile.addEventListener("score", Integer.class, (client, score, ack) ->
                    ((Map<String, Object>) client.get("data")).put("score", score));
            profile.addEventListener("plain", String.class, (client, text, ack) -> {
                client.set("data", text);
                ack.sendAckData((Object) client.get("data"));
            });
            SocketIONamespace handshakeOnly = node.node().server().addNamespace("/handshake-only");
            handshakeOnly.addAuthTokenListener((auth, client) -> {
                client.set("data", "from the handshake");
                return AuthTokenResult.AuthTokenResultSuccess;
            });
            handshakeOnly.addEventListener("whoami", String.class, (client, ignored, ack) ->
                    ack.sendAckData((Object) client.get("data")));

            try (AdminClient admin = AdminClient.connect(node, "{}")) {
                admin.await("config", args -> true);
                try (ProductNode.Client client = node.open("/profile", null)) {
                    String sid = client.sid();
                    admin.await("room_joined", args -> args.get(1).asText().equals("greeted") && args.get(2).asText().equals(sid));
                    assertThat(admin.indexOf("socket_connected", args -> args.get(0).get("id").asText().equals(sid)))
                            .isNotNegative()
                            .isLessThan(admin.indexOf("room_joined", args -> args.get(1).asText().equals("greeted")));

                    JsonNode named = admin.await("socket_updated", args -> args.get(0).get("id").asText().equals(sid)
                            && args.get(0).path("data").has("name")).get(0);
                    assertThat(named.get("nsp").asText()).isEqualTo("/profile");
                    assertThat(named.get("data")).isEqualTo(AdminClient.JSON.readTree("{\"name\":\"zoe\"}"));

                    client.ws().sendText("42/profile,[\"score\",7]");
                    JsonNode scored = admin.await("socket_updated", args -> args.get(0).get("id").asText().equals(sid)
                            && args.get(0).path("data").has("score")).get(0);
                    assertThat(scored.get("data")).isEqualTo(AdminClient.JSON.readTree("{\"name\":\"zoe\",\"score\":7}"));
                    // The replaced map got its _admin entry back: every node's UI reads the socket's transport there.
                    Map<String, Object> listed = (Map<String, Object>) node.node().cluster().of("/profile").fetchSockets()
                            .toCompletableFuture().get(5, TimeUnit.SECONDS).get(0).data();
                    assertThat((Map<String, Object>) listed.get("_admin")).containsEntry("transport", "websocket");

                    client.ws().sendText("42/profile,1[\"plain\",\"just text\"]");
                    assertThat(client.ws().nextText()).isEqualTo("43/profile,1[\"just text\"]");
                    admin.await("socket_updated", args -> args.get(0).get("id").asText().equals(sid)
                            && args.get(0).get("data").isEmpty());
                }
                try (ProductNode.Client client = node.open("/handshake-only", null)) {
                    client.ws().sendText("42/handshake-only,1[\"whoami\",\"\"]");
                    assertThat(client.ws().nextText()).isEqualTo("43/handshake-only,1[\"from the handshake\"]");
                    admin.await("socket_connected", args -> args.get(0).get("id").asText().equals(client.sid()));
                }
            }
        }
    }

    @Test
    void theAdminNamespaceCannotBeAnApplicationOne() {
        Map<String, String> env = Map.of("ADMIN_UI", "production", "ADMIN_UI_AUTH", "none", "ADMIN_UI_NAMESPACE", "/chat");
        assertThatThrownBy(() -> ProductNode.start(env)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ADMIN_UI_NAMESPACE /chat is a namespace of the application");
    }

    @Test
    void offMeansNoNamespaceAndNoPage() throws Exception {
        try (ProductNode node = ProductNode.start(Map.of());
             AdminClient admin = AdminClient.connect(node, AdminUiTest.LOGIN)) {
            assertThat(admin.connectAnswer()).isEqualTo("44/admin,{\"message\":\"Invalid namespace\"}");
            HttpResponse<Void> page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(node.uri("/admin-ui/")).build(),
                    HttpResponse.BodyHandlers.discarding());
            assertThat(page.statusCode()).isEqualTo(404);
        }
    }
}
