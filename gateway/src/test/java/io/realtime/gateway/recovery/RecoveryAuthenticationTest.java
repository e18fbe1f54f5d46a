package io.realtime.gateway.recovery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.realtime.cluster.SocketIds;
import io.realtime.gateway.testing.ProductNode;
import io.realtime.gateway.testing.RawWebSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;

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
                "PING_INTERVAL", "25000", "PING_TIMEOUT", "20000"));
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static String token(String subject, Instant expires) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256),
                new JWTClaimsSet.Builder().subject(subject).expirationTime(Date.from(expires)).build());
        jwt.sign(new MACSigner(SECRET));
        return jwt.serialize();
    }

    private static RawWebSocket open() {
        RawWebSocket ws = RawWebSocket.connect(node.webSocketUri("/socket.io/?EIO=4&transport=websocket"));
        assertThat(ws.nextText()).startsWith("0{");
        return ws;
    }

    private static String nextNonPing(RawWebSocket ws) {
        return ws.nextTextSkippingPings();
    }

    @Test
    void anExpiredTokenIsRefusedAndTheRecoveredSocketKeepsItsPrincipal() throws Exception {
        RawWebSocket first = open();
        first.sendText("40{\"token\":\"" + token("alice", Instant.now().plusSeconds(3600)) + "\"}");
        JsonNode connected = JSON.readTree(nextNonPing(first).substring(2));
        String sid = connected.get("sid").asText();
        String pid = connected.get("pid").asText();
        first.sendText("42[\"sendMessage\",\"hello\"]");
        String message = nextNonPing(first);
        assertThat(message).startsWith("42[\"newMessage\"");
        JsonNode args = JSON.readTree(message.substring(2));
        String offset = args.get(args.size() - 1).asText();
        first.close();
        await().atMost(Duration.ofSeconds(5)).until(() ->
                node.node().server().getNamespace("").getClient(SocketIds.parse(sid)) == null);

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
}
