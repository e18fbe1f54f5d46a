package io.realtime.gateway.cluster;

import io.realtime.cluster.ClusterStats;
import io.realtime.cluster.testing.RedisFixture;
import io.realtime.gateway.testing.ProductNode;
import io.realtime.gateway.testing.ProductNode.Client;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The point of the sharded transport, measured from the nodes' own metrics: six nodes, one room per node with its
 * members only there, a publisher sending to each room. With the classic transport every node receives every
 * message from Redis; with the sharded one in dynamic mode a node receives only its own room's (at most 1/N of
 * the classic figure, plus control traffic).
 */
class TargetedFanOutTest {

    private static final int NODES = 6;
    private static final int PER_ROOM = 30;
    /** A chat-sized message: the envelopes of the two wire formats differ by about 100 bytes. */
    private static final String PAYLOAD = "x".repeat(1000);
    /** createShardedAdapter's JSON envelope {uid, nsp, type, data: {packet, opts}} against classic's msgpack array. */
    private static final double ENVELOPE_FACTOR = 1.2;

    private record Received(long messages, long bytes) {
    }

    @Test
    void aNodeReceivesFromRedisOnlyTheMessagesOfItsRoomsWhenSharded() {
        List<Received> classic = run("classic");
        List<Received> sharded = run("sharded");

        System.out.printf("targeted fan-out, %d nodes, %d messages per room: received per node from Redis%n", NODES, PER_ROOM);
        for (int i = 0; i < NODES; i++) {
            System.out.printf("  node %d: classic %d messages / %d bytes, sharded %d messages / %d bytes%n", i,
                    classic.get(i).messages(), classic.get(i).bytes(), sharded.get(i).messages(), sharded.get(i).bytes());
        }
        for (int i = 0; i < NODES; i++) {
            assertThat(classic.get(i).messages()).as("classic: node %d gets every room's messages", i)
                    .isGreaterThanOrEqualTo((long) NODES * PER_ROOM);
            long control = 5;
            assertThat(sharded.get(i).messages()).as("sharded: node %d gets only its room's messages", i)
                    .isLessThanOrEqualTo(classic.get(i).messages() / NODES + control);
            assertThat(sharded.get(i).bytes()).as("sharded: node %d bytes", i)
                    .isLessThanOrEqualTo((long) (classic.get(i).bytes() / NODES * ENVELOPE_FACTOR) + control * 200);
        }
    }

    private static List<Received> run(String transport) {
        Map<String, String> env = Map.of("REDIS_URL", RedisFixture.shared().uri());
        String key = "fanout-" + UUID.randomUUID();
        List<ProductNode> nodes = new ArrayList<>();
        List<Client> clients = new ArrayList<>();
        try {
            for (int i = 0; i < NODES; i++) {
                nodes.add(ProductNode.start(env, "--redisKey=" + key, "--nodeId=f" + i, "--redisAdapter=" + transport,
                        "--pingInterval=25000", "--dashboardInterval=600000"));
            }
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    nodes.get(0).node().cluster().of("/chat").serverCount().toCompletableFuture().join() == NODES);
            for (int i = 0; i < NODES; i++) {
                Client client = nodes.get(i).open("/chat", null);
                clients.add(client);
                client.ws().sendText("42/chat,1[\"joinRoom\",\"room-" + i + "\"]");
                assertThat(client.ws().nextText()).isEqualTo("42/chat,[\"joinedRoom\",\"room-" + i + "\"]");
                assertThat(client.ws().nextText()).startsWith("43/chat,1[");
            }
            if (transport.equals("sharded")) {
                // Each room's channel is held by its node once Redis confirmed it (the namespace's two, plus one).
                for (ProductNode node : nodes) {
                    ClusterStats stats = node.node().cluster().stats().orElseThrow();
                    await().atMost(Duration.ofSeconds(5)).until(() -> stats.subscriptions() >= 3);
                }
            }
            List<Received> before = received(nodes);
            for (int n = 0; n < PER_ROOM; n++) {
                for (int i = 0; i < NODES; i++) {
                    nodes.get(0).node().cluster().of("/chat").to("room-" + i).emit("m", n, "payload-" + i, PAYLOAD);
                }
            }
            for (int i = 0; i < NODES; i++) {
                for (int n = 0; n < PER_ROOM; n++) {
                    assertThat(clients.get(i).ws().nextText()).isEqualTo("42/chat,[\"m\"," + n + ",\"payload-" + i + "\",\"" + PAYLOAD + "\"]");
                }
            }
            // One publisher and one Redis, in order: once every client has this marker, every node has read whatever
            // reached it before (a copy of another room's message sent its way would be counted by now).
            nodes.get(0).node().cluster().of("/chat").emit("marker");
            for (Client client : clients) {
                assertThat(client.ws().nextText()).isEqualTo("42/chat,[\"marker\"]");
            }
            if (transport.equals("classic")) {
                // A node counts another room's message when its subscriber reads it, which may be after that room's
                // client got it from its own node: wait (bounded) until every node has read all of them.
                await().atMost(Duration.ofSeconds(5)).until(() -> delta(before, received(nodes)).stream()
                        .allMatch(received -> received.messages() >= (long) NODES * PER_ROOM));
            }
            return delta(before, received(nodes));
        } finally {
            clients.forEach(Client::close);
            nodes.forEach(ProductNode::close);
        }
    }

    private static List<Received> delta(List<Received> before, List<Received> after) {
        List<Received> delta = new ArrayList<>();
        for (int i = 0; i < before.size(); i++) {
            delta.add(new Received(after.get(i).messages() - before.get(i).messages(), after.get(i).bytes() - before.get(i).bytes()));
        }
        return delta;
    }

    private static List<Received> received(List<ProductNode> nodes) {
        List<Received> figures = new ArrayList<>();
        for (ProductNode node : nodes) {
            ClusterStats stats = node.node().cluster().stats().orElseThrow();
            figures.add(new Received(stats.received(), stats.bytesReceived()));
        }
        return figures;
    }
}
