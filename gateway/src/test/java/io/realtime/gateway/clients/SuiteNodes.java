package io.realtime.gateway.clients;

import io.realtime.gateway.GatewayNode;
import io.realtime.gateway.config.GatewayConfig;
import io.realtime.gateway.testing.ClientSuiteFixtures;
import io.realtime.gateway.testing.Tokens;

import java.net.URI;
import java.time.Instant;
import java.util.Map;

/** The node the client suites talk to: the real features with JWT auth, plus {@link ClientSuiteFixtures}. */
final class SuiteNodes {

    static final String SECRET = "client-suite-secret-that-is-long-enough-for-hs256";

    /** Short heartbeats, so that a client that only notices a dead server by them notices it fast. */
    static final int PING_INTERVAL = 300;
    static final int PING_TIMEOUT = 200;

    private SuiteNodes() {
    }

    /** A node on 127.0.0.1 at {@code port} (0: a free one). */
    static GatewayNode start(int port) {
        GatewayConfig config = GatewayConfig.load(Map.of("AUTH_MODE", "jwt", "JWT_SECRET", SECRET), new String[] {
                "--host=127.0.0.1", "--managementHost=127.0.0.1", "--port=" + port, "--managementPort=0", "--pingInterval=" + PING_INTERVAL,
                "--pingTimeout=" + PING_TIMEOUT, "--eventRate=0"});
        return GatewayNode.start(config, ClientSuiteFixtures::install);
    }

    static URI url(GatewayNode node) {
        return URI.create("http://127.0.0.1:" + node.socketIoAddress().getPort());
    }

    static String token(String user) {
        return Tokens.hs256(SECRET, user, Instant.now().plusSeconds(3600));
    }
}
