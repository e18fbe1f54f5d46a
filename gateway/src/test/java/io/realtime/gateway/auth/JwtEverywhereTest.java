package io.realtime.gateway.auth;

import io.realtime.gateway.testing.ProductNode;
import io.realtime.gateway.testing.RawWebSocket;
import io.realtime.gateway.testing.Tokens;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** AUTH_MODE=jwt on the real node: a token everywhere unless a namespace is named public, and never a broken one. */
class JwtEverywhereTest {

    private static final String SECRET = "jwt-everywhere-secret-that-is-long-enough";
    private static final List<String> NAMESPACES = List.of("/", "/chat", "/dashboard");
    /** Tokens that are present but not a non-empty string: never read as "no token". */
    private static final List<String> MALFORMED = List.of("{\"token\":null}", "{\"token\":42}", "{\"token\":true}",
            "{\"token\":{\"sub\":\"alice\"}}", "{\"token\":\"\"}", "{\"token\":[\"a\"]}");

    @Test
    void anonymousAndMalformedTokensAreRefusedOnEveryNamespace() throws Exception {
        try (ProductNode node = ProductNode.start(Map.of("AUTH_MODE", "jwt", "JWT_SECRET", SECRET))) {
            for (String namespace : NAMESPACES) {
                assertThat(connect(node, namespace, null)).as("anonymous on " + namespace)
                        .startsWith(prefix("44", namespace)).contains("\"code\":\"unauthorized\"").contains("missing token");
                assertThat(connect(node, namespace, "{}")).as("empty auth on " + namespace)
                        .startsWith(prefix("44", namespace)).contains("\"code\":\"unauthorized\"");
                for (String auth : MALFORMED) {
                    assertThat(connect(node, namespace, auth)).as(auth + " on " + namespace)
                            .startsWith(prefix("44", namespace)).contains("\"code\":\"unauthorized\"")
                            .contains("malformed token");
                }
                assertThat(connect(node, namespace, "{\"token\":\"" + token("alice") + "\"}")).as("valid on " + namespace)
                        .startsWith(prefix("40", namespace)).contains("\"sid\"");
            }
        }
    }

    @Test
    void aPublicNamespaceAdmitsAnonymousClientsButNeverABrokenOrWrongToken() throws Exception {
        try (ProductNode node = ProductNode.start(Map.of("AUTH_MODE", "jwt", "JWT_SECRET", SECRET,
                "AUTH_PUBLIC_NAMESPACES", "/dashboard"))) {
            assertThat(connect(node, "/dashboard", null)).startsWith("40/dashboard,{\"sid\"");
            assertThat(connect(node, "/", null)).startsWith("44{");
            for (String auth : MALFORMED) {
                assertThat(connect(node, "/dashboard", auth)).as(auth).startsWith("44/dashboard,")
                        .contains("malformed token");
            }
            assertThat(connect(node, "/dashboard", "{\"token\":\"not.a.jwt\"}")).startsWith("44/dashboard,")
                    .contains("\"code\":\"unauthorized\"");
        }
    }

    @Test
    void theDeprecatedRequiredNamespacesStillLeaveTheOthersPublic() throws Exception {
        try (ProductNode node = ProductNode.start(Map.of("AUTH_MODE", "jwt", "JWT_SECRET", SECRET,
                "AUTH_REQUIRED_NAMESPACES", "/chat"))) {
            assertThat(connect(node, "/", null)).startsWith("40{\"sid\"");
            assertThat(connect(node, "/chat", null)).startsWith("44/chat,");
        }
    }

    @Test
    void aSocketWhoseTokenExpiresIsToldAndDisconnected() throws Exception {
        try (ProductNode node = ProductNode.start(Map.of("AUTH_MODE", "jwt", "JWT_SECRET", SECRET,
                "TOKEN_EXPIRY_GRACE", "1"))) {
            String shortLived = token("brief", Instant.now().plusSeconds(2));
            try (RawWebSocket ws = node.connect("/", "{\"token\":\"" + shortLived + "\"}");
                 RawWebSocket lasting = node.connect("/", "{\"token\":\"" + token("alice") + "\"}")) {
                assertThat(ws.nextTextSkippingPings()).startsWith("42[\"exception\",{\"status\":\"error\",\"code\":\"token_expired\"");
                assertThat(ws.nextTextSkippingPings()).isEqualTo("41");
                assertThat(java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        node.apiUri("/metrics")).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body())
                        .contains("socketio_disconnects_total{nsp=\"/\",reason=\"token_expired\"} 1.0");
                lasting.sendText("420[\"events\",1]");
                assertThat(lasting.nextTextSkippingPings()).as("a socket with a valid token stays").isEqualTo("430[1]");
            }
        }
    }

    @Test
    void aVerifiedUserWhoseIdIsAUuidSubscribesToItsNotifications() throws Exception {
        try (ProductNode node = ProductNode.start(Map.of("AUTH_MODE", "jwt", "JWT_SECRET", SECRET))) {
            // Many issuers' subjects are UUIDs, which is also a socket id's other form: the issuer's word stands.
            String subject = java.util.UUID.randomUUID().toString();
            try (RawWebSocket ws = node.connect("/", "{\"token\":\"" + token(subject) + "\"}")) {
                ws.sendText("421[\"subscribeToNotifications\"]");
                assertThat(ws.nextTextSkippingPings()).isEqualTo("431[{\"subscribed\":\"" + subject + "\"}]");
            }
        }
    }

    private static String prefix(String type, String namespace) {
        return type + (namespace.equals("/") ? "" : namespace + ",");
    }

    /** The server's answer to a CONNECT of {@code namespace} with an auth payload ({@code null}: none). */
    private static String connect(ProductNode node, String namespace, String authJson) {
        try (RawWebSocket ws = RawWebSocket.connect(node.webSocketUri("/socket.io/?EIO=4&transport=websocket"))) {
            ws.nextText();
            ws.sendText(prefix("40", namespace) + (authJson == null ? "" : authJson));
            return ws.nextText();
        }
    }

    private static String token(String user) throws Exception {
        return token(user, Instant.now().plusSeconds(600));
    }

    private static String token(String user, Instant expiry) {
        return Tokens.hs256(SECRET, user, expiry);
    }
}
