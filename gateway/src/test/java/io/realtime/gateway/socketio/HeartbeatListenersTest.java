package io.realtime.gateway.socketio;

import io.realtime.cluster.SocketIds;
import io.realtime.gateway.testing.ProductNode;
import io.realtime.gateway.testing.ProductNode.Client;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** netty-socketio's pong listeners hear each client's answer to a ping, on the main namespace's socket. */
class HeartbeatListenersTest {

    @Test
    void aPongReachesThePongListenersWithTheClientsMainSocket() {
        try (ProductNode node = ProductNode.start(Map.of(), "--pingInterval=300", "--dashboardInterval=60000")) {
            List<UUID> pongs = new CopyOnWriteArrayList<>();
            node.node().server().addPongListener(client -> pongs.add(client.getSessionId()));
            try (Client client = node.open("/", null)) {
                String text = client.ws().nextText();
                while (!text.equals("2")) {
                    text = client.ws().nextText();
                }
                client.ws().sendText("3");
                await().atMost(Duration.ofSeconds(5)).until(() -> !pongs.isEmpty());
                assertThat(pongs).containsOnly(SocketIds.parse(client.sid()));
            }
        }
    }
}
