package io.realtime.gateway.clients;

import io.realtime.gateway.GatewayNode;
import io.realtime.gateway.clients.JavaClient.Mode;
import io.socket.client.Socket;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * socket.io-client-java reconnects by itself after the node it was connected to stops and starts again on the same
 * address.
 *
 * <p>Its quirk: its WebSocket transport does not act on a close frame (engine.io-client-java 2.1 leaves OkHttp's
 * {@code onClosing} unhandled and OkHttp stops reading once the frame arrives), so over WebSocket it notices a stopped
 * server only when the server's pings stop: "ping timeout", up to pingInterval + pingTimeout later, on a Node.js
 * socket.io server just the same ({@link JavaClientQuirkOnNodeJsTest}). Over long-polling the pending poll gets
 * the close packet and it notices at once ("transport close"). These nodes use short heartbeats.
 */
class JavaClientReconnectionTest {

    @ParameterizedTest
    @EnumSource(Mode.class)
    void reconnectsAfterTheNodeRestartsOnTheSameAddress(Mode mode) {
        GatewayNode node = SuiteNodes.start(0);
        int port = node.socketIoAddress().getPort();
        URI url = SuiteNodes.url(node);
        try (JavaClient client = JavaClient.create(url, "/",
                JavaClient.options(mode, Map.of("token", SuiteNodes.token("carol")), true)).connected()) {
            await().atMost(Duration.ofSeconds(5)).until(() -> mode.settled().equals(client.transport()));
            assertThat(client.ack("events", "before")).containsExactly("before");

            node.stop();
            await().atMost(Duration.ofSeconds(5)).until(() -> !client.disconnectReasons().isEmpty());
            assertThat(client.disconnectReasons().get(0))
                    .isEqualTo(mode.settled().equals("websocket") ? "ping timeout" : "transport close");

            node = SuiteNodes.start(port);
            // Within the client's own attempt timeout (5 s): the stopped node closed every connection it had accepted,
            // so an attempt sent on one (the client pools keep-alive connections) fails at once and the next one
            // connects (NodeStopConnectionsTest).
            client.next(Socket.EVENT_CONNECT);
            assertThat(client.ack("events", "after")).containsExactly("after");
            assertThat(client.ack("handshake-auth")[0].toString()).contains("\"token\"");
        } finally {
            node.stop();
        }
    }
}
