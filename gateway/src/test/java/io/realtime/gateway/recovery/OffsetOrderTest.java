package io.realtime.gateway.recovery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.EventLoop;
import io.realtime.cluster.SocketIds;
import io.realtime.gateway.socketio.GatewaySocket;
import io.realtime.gateway.testing.ProductNode;
import io.realtime.gateway.testing.RawWebSocket;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * On a single node, broadcasts from sockets of two event loops reach each socket in the order of their offsets, so
 * the offset a client keeps is always the highest it has.
 */
class OffsetOrderTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MESSAGES = 1500;

    private record Client(RawWebSocket ws, EventLoop loop) {
    }

    private static Client connect(ProductNode node) throws Exception {
        RawWebSocket ws = RawWebSocket.connect(node.webSocketUri("/socket.io/?EIO=4&transport=websocket"));
        assertThat(ws.nextText()).startsWith("0{");
        ws.sendText("40");
        String connected = ws.nextText();
        String sid = JSON.readTree(connected.substring(2)).get("sid").asText();
        GatewaySocket socket = (GatewaySocket) node.node().server().getNamespace("").getClient(SocketIds.parse(sid));
        return new Client(ws, socket.engineSession().eventLoop());
    }

    @Test
    void broadcastsFromTwoLoopsReachASocketInOffsetOrder() throws Exception {
        try (ProductNode node = ProductNode.start(Map.of("CONNECTION_STATE_RECOVERY", "true"), "--workerThreads=2",
                "--eventRate=0", "--pingInterval=25000", "--pingTimeout=20000")) {
            List<Client> clients = new ArrayList<>();
            clients.add(connect(node));
            Client other = connect(node);
            // Netty hands connections to its two loops in turn: a few tries find the other one.
            while (other.loop() == clients.get(0).loop()) {
                assertThat(clients).as("connections, all on one loop").hasSizeLessThan(10);
                clients.add(other);
                other = connect(node);
            }
            Client first = clients.get(0);
            Client second = other;
            // Both send at once: each one's own broadcast is made on its loop while the other's is handed over to it.
            CompletableFuture<Void> a = CompletableFuture.runAsync(() -> send(first));
            CompletableFuture<Void> b = CompletableFuture.runAsync(() -> send(second));
            for (Client receiver : List.of(first, second)) {
                long last = -1;
                int outOfOrder = 0;
                for (int received = 0; received < 2 * MESSAGES; ) {
                    String text = receiver.ws().nextTextSkippingPings();
                    if (!text.startsWith("42[\"newMessage\"")) {
                        continue;
                    }
                    JsonNode args = JSON.readTree(text.substring(2));
                    long offset = Long.parseLong(args.get(args.size() - 1).asText());
                    if (offset < last) {
                        outOfOrder++;
                    }
                    last = Math.max(last, offset);
                    received++;
                }
                assertThat(outOfOrder).as("packets that came after one with a later offset").isZero();
            }
            CompletableFuture.allOf(a, b).join();
            clients.forEach(client -> client.ws().close());
            second.ws().close();
        }
    }

    private static void send(Client client) {
        for (int i = 0; i < MESSAGES; i++) {
            client.ws().sendText("42[\"sendMessage\",\"m" + i + "\"]");
        }
    }
}
