package io.realtime.gateway.recovery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.realtime.cluster.SocketIds;
import io.realtime.cluster.testing.RedisFixture;
import io.realtime.gateway.testing.ProductNode;
import io.realtime.gateway.testing.RawWebSocket;
import io.realtime.gateway.testing.Tokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Recovery and authentication on the product node: a token is verified again, the principal stays the session's. */
class RecoveryAuthenticationTest {

    private static final String SECRET = "a-test-secret-of-at-least-32-bytes!!";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static ProductNode node;

    @BeforeAll
    static void start() {
        node = ProductNode.start(Map.of("AUTH_MODE", "jwt", "JWT_SECRET", SECRET, "CONNECTION_STATE_RECOVERY", "true",
                "PING_INTERVAL", "25000", "PING_TIMEOUT", "20000", "TOKEN_EXPIRY_GRACE", "500"));
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static String token(String subject, Instant expires) {
        return Tokens.hs256(SECRET, subject, expires);
    }

    private static RawWebSocket open() {
        RawWebSocket ws = RawWebSocket.connect(node.webSocketUri("/socket.io/?EIO=4&transport=websocket"));
        assertThat(ws.nextText()).startsWith("0{");
        return ws;
    }

    private static String nextNonPing(RawWebSocket ws) {
        return ws.nextTextSkippingPings();
    }

    /** A session of {@code user}'s left by a closed transport: its sid, pid and last offset. */
    private record Left(String sid, String pid, String offset) {
    }

    private static Left connectAndLeave(String user, Instant expires) throws Exception {
        RawWebSocket first = open();
        first.sendText("40{\"token\":\"" + token(user, expires) + "\"}");
        JsonNode connected = JSON.readTree(nextNonPing(first).substring(2));
        String sid = connected.get("sid").asText();
        first.sendText("42[\"sendMessage\",\"hello\"]");
        String message = nextNonPing(first);
        assertThat(message).startsWith("42[\"newMessage\"");
        JsonNode args = JSON.readTree(message.substring(2));
        first.close();
        await().atMost(Duration.ofSeconds(5)).until(() ->
                node.node().server().getNamespace("").getClient(SocketIds.parse(sid)) == null);
        return new Left(sid, connected.get("pid").asText(), args.get(args.size() - 1).asText());
    }

    private static String recoveryAuth(String token, Left left) {
        return "40{\"token\":\"" + token + "\",\"pid\":\"" + left.pid() + "\",\"offset\":\"" + left.offset() + "\"}";
    }

    @Test
    void theRecoveredSocketTakesThePrincipalOfTheFreshTokenSoItsExpiryHolds() throws Exception {
        Instant soon = Instant.now().plusSeconds(2);
        Left left = connectAndLeave("carol", soon);
        await().atMost(Duration.ofSeconds(10)).until(() -> Instant.now().isAfter(soon.plusSeconds(1)));

        try (RawWebSocket again = open()) {
            again.sendText(recoveryAuth(token("carol", Instant.now().plusSeconds(3600)), left));
            JsonNode recovered = JSON.readTree(nextNonPing(again).substring(2));
            assertThat(recovered.get("sid").asText()).isEqualTo(left.sid());
            // Watched by the fresh token's expiry, an hour away: the old one, already past, would end it at once.
            again.sendText("421[\"subscribeToNotifications\"]");
            assertThat(nextNonPing(again)).isEqualTo("431[{\"subscribed\":\"carol\"}]");
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2)).until(() ->
                    node.node().server().getNamespace("").getClient(SocketIds.parse(left.sid())) != null);
        }
    }

    @Test
    void aPidPresentedWithAnotherUsersTokenGivesANewSession() throws Exception {
        Left left = connectAndLeave("dave", Instant.now().plusSeconds(3600));

        try (RawWebSocket other = open()) {
            other.sendText(recoveryAuth(token("erin", Instant.now().plusSeconds(3600)), left));
            JsonNode connected = JSON.readTree(nextNonPing(other).substring(2));
            assertThat(connected.get("sid").asText()).isNotEqualTo(left.sid());
            other.sendText("421[\"subscribeToNotifications\"]");
            assertThat(nextNonPing(other)).isEqualTo("431[{\"subscribed\":\"erin\"}]");
        }
        // Given up: not even its owner gets it back now.
        try (RawWebSocket owner = open()) {
            owner.sendText(recoveryAuth(token("dave", Instant.now().plusSeconds(3600)), left));
            assertThat(JSON.readTree(nextNonPing(owner).substring(2)).get("sid").asText()).isNotEqualTo(left.sid());
        }
    }

    @Test
    void aSessionWithAWatchedTokenIsKeptInRedisAndRecoveredThere() throws Exception {
        ProductNode single = node;
        try (ProductNode clustered = ProductNode.start(Map.of("AUTH_MODE", "jwt", "JWT_SECRET", SECRET,
                "CONNECTION_STATE_RECOVERY", "true", "REDIS_URL", RedisFixture.shared().uri(), "REDIS_ADAPTER", "streams",
                "REDIS_KEY", "recovery-auth-" + UUID.randomUUID(), "PING_INTERVAL", "25000", "PING_TIMEOUT", "20000"))) {
            node = clustered;
            // The token's expiry is watched (a timer per socket): the session written to Redis is the socket's data only.
            Left left = connectAndLeave("frank", Instant.now().plusSeconds(3600));
            try (RawWebSocket again = open()) {
                again.sendText(recoveryAuth(token("frank", Instant.now().plusSeconds(3600)), left));
                assertThat(JSON.readTree(nextNonPing(again).substring(2)).get("sid").asText()).isEqualTo(left.sid());
            }
        } finally {
            node = single;
        }
    }

    @Test
    void anExpiredTokenIsRefusedAndTheRecoveredSocketKeepsItsUser() throws Exception {
        Left left = connectAndLeave("alice", Instant.now().plusSeconds(3600));
        String sid = left.sid();
        String pid = left.pid();
        String offset = left.offset();

        try (RawWebSocket expired = open()) {
            expired.sendText("40{\"token\":\"" + token("alice", Instant.now().minusSeconds(60))
                    + "\",\"pid\":\"" + pid + "\",\"offset\":\"" + offset + "\"}");
            assertThat(nextNonPing(expired)).startsWith("44{").contains("token_expired");
        }

        try (RawWebSocket again = open()) {
            again.sendText("40{\"token\":\"" + token("alice", Instant.now().plusSeconds(3600))
                    + "\",\"pid\":\"" + pid + "\",\"offset\":\"" + offset + "\"}");
            JsonNode recovered = JSON.readTree(nextNonPing(again).substring(2));
            assertThat(recovered.get("sid").asText()).isEqualTo(sid);
            again.sendText("421[\"subscribeToNotifications\"]");
            assertThat(nextNonPing(again)).isEqualTo("431[{\"subscribed\":\"alice\"}]");
        }
    }

    /**
     * On the streams transport an event with an offset goes to Redis and comes back through the stream's reader: the
     * expiry's notice must still reach the client before the DISCONNECT that follows it, not be overtaken and dropped.
     */
    @Test
    void theExpiryNoticeArrivesBeforeTheDisconnectOnTheStreamsTransport() throws Exception {
        ProductNode single = node;
        try (ProductNode clustered = ProductNode.start(Map.of("AUTH_MODE", "jwt", "JWT_SECRET", SECRET,
                "CONNECTION_STATE_RECOVERY", "true", "REDIS_URL", RedisFixture.shared().uri(), "REDIS_ADAPTER", "streams",
                "REDIS_KEY", "recovery-expiry-" + UUID.randomUUID(), "PING_INTERVAL", "25000", "PING_TIMEOUT", "20000",
                "TOKEN_EXPIRY_GRACE", "0"))) {
            node = clustered;
            try (RawWebSocket ws = open()) {
                ws.sendText("40{\"token\":\"" + token("gina", Instant.now().plusSeconds(2)) + "\"}");
                assertThat(nextNonPing(ws)).startsWith("40{");
                String notice = nextNonPing(ws);
                assertThat(notice).startsWith("42[\"exception\"").contains("token_expired");
                assertThat(nextNonPing(ws)).isEqualTo("41");
            }
        } finally {
            node = single;
        }
    }
}
