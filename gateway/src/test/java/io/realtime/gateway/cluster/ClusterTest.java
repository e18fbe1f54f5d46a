package io.realtime.gateway.cluster;

import io.realtime.cluster.ClusterNamespace;
import io.realtime.cluster.ClusterTimeoutException;
import io.realtime.cluster.SocketDetails;
import io.realtime.cluster.testing.RedisFixture;
import io.realtime.gateway.testing.ProductNode;
import io.realtime.gateway.testing.ProductNode.Client;
import io.realtime.gateway.testing.RawWebSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Three gateway nodes sharing one Redis: what a client on any node sees is what one big server would do, with each
 * cluster transport, on one Redis and on a Redis Cluster ({@code +cluster}); the sharded one also with a channel per
 * socket ({@code +dynamic-private}).
 */
@ParameterizedClass(name = "REDIS_ADAPTER={0}")
@ValueSource(strings = {"classic", "sharded", "sharded+dynamic-private", "streams", "classic+cluster", "sharded+cluster", "streams+cluster"})
class ClusterTest {

    private static final String KEY = "cluster-test-" + UUID.randomUUID();
    private static String transportFlag;
    private static RedisFixture redis;
    private static ProductNode n1;
    private static ProductNode n2;
    private static ProductNode n3;

    @Parameter
    String variant;
    String transport;

    @org.junit.jupiter.api.BeforeEach
    void transportOfTheVariant() {
        transport = variant.split("\\+")[0];
    }

    @BeforeParameterizedClassInvocation
    static void start(String variant) {
        redis = variant.endsWith("+cluster") ? RedisFixture.sharedCluster() : RedisFixture.shared();
        Map<String, String> env = Map.of("REDIS_URL", redis.uri());
        transportFlag = "--redisAdapter=" + variant.split("\\+")[0];
        String modeFlag = "--redisSubscriptionMode=" + (variant.contains("dynamic-private") ? "dynamic-private" : "dynamic");
        String[] flags = {"--redisKey=" + KEY, "--pingInterval=25000", "--clusterRequestTimeout=2000", "--dashboardInterval=60000",
                transportFlag, modeFlag};
        n1 = ProductNode.start(env, concat(flags, "--nodeId=n1"));
        n2 = ProductNode.start(env, concat(flags, "--nodeId=n2"));
        n3 = ProductNode.start(env, concat(flags, "--nodeId=n3"));
        await().atMost(Duration.ofSeconds(5)).until(() -> serverCount(n1, "/") == 3);
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        for (ProductNode node : new ProductNode[] {n1, n2, n3}) {
            if (node != null) {
                node.close();
            }
        }
    }

    private static String[] concat(String[] flags, String more) {
        List<String> all = new ArrayList<>(List.of(flags));
        all.add(more);
        return all.toArray(String[]::new);
    }

    private static int serverCount(ProductNode node, String namespace) {
        return node.node().cluster().of(namespace).serverCount().toCompletableFuture().join();
    }

    private static ClusterNamespace of(ProductNode node, String namespace) {
        return node.node().cluster().of(namespace);
    }

    private static void join(Client client, String room) {
        client.ws().sendText("42/chat,1[\"joinRoom\",\"" + room + "\"]");
        assertThat(client.ws().nextText()).isEqualTo("42/chat,[\"joinedRoom\",\"" + room + "\"]");
        assertThat(client.ws().nextText()).startsWith("43/chat,1[");
    }

    /**
     * Sends a marker to everyone from the node that sent the message under test (one publisher keeps its order), so
     * "the next message is the marker" proves nothing else came before it.
     */
    private static void marker(ProductNode from, String namespace) {
        of(from, namespace).emit("marker");
    }

    private static String markerText(String namespace) {
        return (namespace.equals("/") ? "42" : "42" + namespace + ",") + "[\"marker\"]";
    }

    @Test
    void broadcastFromAnyNodeReachesEveryClientOnce() {
        try (Client c1 = n1.open("/", null); Client c2 = n2.open("/", null); Client c3 = n3.open("/", null)) {
            of(n1, "/").emit("hello", 1, Map.of("nested", List.of("x")));
            marker(n1, "/");

            for (Client client : List.of(c1, c2, c3)) {
                assertThat(client.ws().nextText()).isEqualTo("42[\"hello\",1,{\"nested\":[\"x\"]}]");
                assertThat(client.ws().nextText()).isEqualTo(markerText("/"));
            }
        }
    }

    @Test
    void severalRoomsDeliverOnceAndExceptRoomsAreLeftOut() {
        try (Client a = n1.open("/chat", null); Client b = n2.open("/chat", null); Client c = n3.open("/chat", null);
             Client none = n2.open("/chat", null)) {
            join(a, "r1");
            join(a, "r2");
            join(b, "r1");
            join(c, "r2");
            join(c, "muted");

            of(n3, "/chat").to("r1", "r2").except("muted").emit("m");
            marker(n3, "/chat");

            assertThat(a.ws().nextText()).isEqualTo("42/chat,[\"m\"]");
            assertThat(a.ws().nextText()).isEqualTo(markerText("/chat"));
            assertThat(b.ws().nextText()).isEqualTo("42/chat,[\"m\"]");
            assertThat(b.ws().nextText()).isEqualTo(markerText("/chat"));
            assertThat(c.ws().nextText()).isEqualTo(markerText("/chat"));
            assertThat(none.ws().nextText()).isEqualTo(markerText("/chat"));
        }
    }

    @Test
    void everyoneButTheSenderWhenReceiversAreOnOtherNodes() {
        try (Client sender = n1.open("/", null); Client other1 = n2.open("/", null); Client other2 = n3.open("/", null)) {
            of(n1, "/").except(sender.sid()).emit("news");
            marker(n1, "/");

            assertThat(sender.ws().nextText()).isEqualTo(markerText("/"));
            assertThat(other1.ws().nextText()).isEqualTo("42[\"news\"]");
            assertThat(other2.ws().nextText()).isEqualTo("42[\"news\"]");
        }
    }

    @Test
    void theNodesSpeakTheTransportTheyWereGiven() {
        for (ProductNode node : new ProductNode[] {n1, n2, n3}) {
            assertThat(node.node().cluster().stats().orElseThrow().transport()).isEqualTo(transport);
        }
    }

    @Test
    void aOneRoomBroadcastReachesFromRedisOnlyTheNodesWithTheRoomWhenSharded() {
        String roomChannel = KEY + "#/chat#only-on-n3#";
        try (Client member = n3.open("/chat", null)) {
            join(member, "only-on-n3");
            if (transport.equals("sharded")) {
                // Dynamic mode: a channel for the room while it has a member here.
                await().atMost(Duration.ofSeconds(5)).until(() -> redis.shardSubscribers(roomChannel) == 1);
            }
            long before = n2.node().cluster().stats().orElseThrow().received();
            int count = 20;
            for (int i = 0; i < count; i++) {
                of(n1, "/chat").to("only-on-n3").emit("targeted", i);
            }
            for (int i = 0; i < count; i++) {
                assertThat(member.ws().nextText()).isEqualTo("42/chat,[\"targeted\"," + i + "]");
            }
            if (transport.equals("sharded")) {
                // n2 has handled what came before a broadcast to everyone; none of the room's messages came.
                try (Client witness = n2.open("/chat", null)) {
                    of(n1, "/chat").emit("marker");
                    assertThat(witness.ws().nextText()).isEqualTo(markerText("/chat"));
                }
                long receivedByN2 = n2.node().cluster().stats().orElseThrow().received() - before;
                // A cluster request of the dashboard may interleave.
                assertThat(receivedByN2).as("a node without the room gets none of its messages").isLessThanOrEqualTo(3);
            } else {
                await("classic: every node gets every broadcast").atMost(Duration.ofSeconds(5)).until(() ->
                        n2.node().cluster().stats().orElseThrow().received() - before >= count);
            }
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> redis.shardSubscribers(roomChannel) == 0);
    }

    /** Two clusters on one Redis (staging and production, say) told apart by REDIS_KEY alone, stream included. */
    @Test
    void aClusterOfAnotherKeyOnTheSameRedisIsNotHeard() {
        String[] flags = {"--redisKey=" + KEY + "-other", "--pingInterval=25000", "--dashboardInterval=60000", transportFlag,
                "--nodeId=other"};
        try (ProductNode other = ProductNode.start(Map.of("REDIS_URL", redis.uri()), flags);
             Client stranger = other.open("/", null); Client ours = n1.open("/", null)) {
            of(other, "/").emit("intruder");
            // On streams a node's own clients get a broadcast as it is read back: once this one has it, it is in Redis.
            assertThat(stranger.ws().nextText()).isEqualTo("42[\"intruder\"]");
            marker(n1, "/");

            assertThat(ours.ws().nextText()).isEqualTo(markerText("/"));
            assertThat(serverCount(n1, "/")).isEqualTo(3);
        }
    }

    @Test
    void aSendToOneSocketReachesItOnItsNodeOnly() {
        try (Client target = n3.open("/chat", null); Client other = n2.open("/chat", null)) {
            // dynamic-private: the socket's own channel is held once Redis confirmed it.
            await().atMost(Duration.ofSeconds(5)).until(() -> !variant.contains("private")
                    || redis.shardSubscribers(KEY + "#/chat#" + target.sid() + "#") == 1);

            of(n1, "/chat").to(target.sid()).emit("direct", 1);
            marker(n1, "/chat");

            assertThat(target.ws().nextText()).isEqualTo("42/chat,[\"direct\",1]");
            assertThat(other.ws().nextText()).isEqualTo(markerText("/chat"));
        }
    }

    @Test
    void localFlagKeepsTheBroadcastOnItsNode() {
        try (Client here = n1.open("/", null); Client there = n2.open("/", null)) {
            of(n1, "/").local().emit("local-only");
            marker(n1, "/");

            assertThat(here.ws().nextText()).isEqualTo("42[\"local-only\"]");
            assertThat(there.ws().nextText()).isEqualTo(markerText("/"));
        }
    }

    /** The flag crosses the transport (what it drops is proven by the core's tests with sockets that cannot write). */
    @Test
    void aVolatileBroadcastReachesTheWritableClientsOfEveryNode() {
        try (Client c1 = n1.open("/", null); Client c2 = n2.open("/", null); Client c3 = n3.open("/", null)) {
            of(n2, "/").asVolatile().emit("volatile", 1);
            marker(n2, "/");

            for (Client client : List.of(c1, c2, c3)) {
                assertThat(client.ws().nextText()).isEqualTo("42[\"volatile\",1]");
                assertThat(client.ws().nextText()).isEqualTo(markerText("/"));
            }
        }
    }

    @Test
    void fetchSocketsSeesSocketsOfEveryNodeWithRoomsAndHandshake() {
        try (Client a = n1.open("/chat", null); Client b = n2.open("/chat", null); Client c = n3.open("/chat", null)) {
            join(a, "fetch-room");
            join(b, "fetch-room");

            List<SocketDetails> sockets = of(n3, "/chat").to("fetch-room").fetchSockets().toCompletableFuture().join();

            assertThat(sockets).extracting(SocketDetails::id).containsExactlyInAnyOrder(a.sid(), b.sid());
            SocketDetails remote = sockets.stream().filter(s -> s.id().equals(a.sid())).findFirst().orElseThrow();
            assertThat(remote.rooms()).contains("fetch-room", a.sid());
            assertThat(remote.handshake()).containsKeys("headers", "time", "address", "url", "query", "auth", "issued");
            assertThat(of(n1, "/chat").allRooms().toCompletableFuture().join()).contains("fetch-room", a.sid(), b.sid(), c.sid());
        }
    }

    @Test
    void socketsJoinLeaveAndDisconnectWhereverTheSocketsAre() {
        try (Client far = n3.open("/chat", null)) {
            of(n1, "/chat").to(far.sid()).socketsJoin("joined-remotely");
            await().atMost(Duration.ofSeconds(3)).until(() -> of(n1, "/chat").to("joined-remotely").fetchSockets()
                    .toCompletableFuture().join().size() == 1);

            of(n2, "/chat").to("joined-remotely").emit("welcome");
            assertThat(far.ws().nextText()).isEqualTo("42/chat,[\"welcome\"]");

            of(n1, "/chat").to(far.sid()).socketsLeave("joined-remotely");
            await().atMost(Duration.ofSeconds(3)).until(() -> of(n1, "/chat").to("joined-remotely").fetchSockets()
                    .toCompletableFuture().join().isEmpty());

            of(n2, "/chat").to(far.sid()).disconnectSockets(false);
            assertThat(far.ws().nextText()).isEqualTo("41/chat,");
        }
    }

    @Test
    void joinsAndDisconnectsComeAfterTheBroadcastsTheSenderSentBeforeThemOnItsOwnNodeToo() {
        try (Client member = n1.open("/chat", null); Client newcomer = n1.open("/chat", null)) {
            join(member, "in-order");

            of(n1, "/chat").to("in-order").emit("before-join");
            of(n1, "/chat").to(newcomer.sid()).socketsJoin("in-order");
            of(n1, "/chat").to("in-order").emit("after-join");
            assertThat(newcomer.ws().nextText()).isEqualTo("42/chat,[\"after-join\"]");

            of(n1, "/chat").to("in-order").emit("last-words");
            of(n1, "/chat").in("in-order").disconnectSockets(false);
            for (Client client : List.of(member, newcomer)) {
                if (client == member) {
                    assertThat(client.ws().nextText()).isEqualTo("42/chat,[\"before-join\"]");
                    assertThat(client.ws().nextText()).isEqualTo("42/chat,[\"after-join\"]");
                }
                assertThat(client.ws().nextText()).isEqualTo("42/chat,[\"last-words\"]");
                assertThat(client.ws().nextText()).isEqualTo("41/chat,");
            }
        }
    }

    @Test
    void serverSideEmitReachesTheOtherNodesWithAndWithoutAck() {
        List<Object> heardOn2 = new CopyOnWriteArrayList<>();
        List<Object> heardOn3 = new CopyOnWriteArrayList<>();
        of(n2, "/").onServerSideEmit("sync", (args, ack) -> heardOn2.add(args));
        of(n3, "/").onServerSideEmit("sync", (args, ack) -> heardOn3.add(args));

        of(n1, "/").serverSideEmit("sync", "v1", 2);

        await().atMost(Duration.ofSeconds(3)).until(() -> heardOn2.size() == 1 && heardOn3.size() == 1);
        assertThat(heardOn2.get(0)).isEqualTo(List.of("v1", 2));

        List<Object> answers = of(n1, "/").serverSideEmitWithAck("nodeInfo").toCompletableFuture().join();
        assertThat(answers).extracting(answer -> (Object) ((Map<?, ?>) answer).get("nodeId")).containsExactlyInAnyOrder("n2", "n3");
    }

    @Test
    void broadcastWithAckCollectsEveryClientsAnswerOrTimesOutWithThePartialResults() throws Exception {
        try (Client c1 = n1.open("/", null); Client c2 = n2.open("/", null); Client c3 = n3.open("/", null)) {
            CompletableFuture<List<Object>> acks = of(n1, "/").timeout(Duration.ofSeconds(3))
                    .emitWithAck("question", "q").toCompletableFuture();
            answer(c1, "a1");
            answer(c2, "a2");
            answer(c3, "a3");
            assertThat(acks.get(5, TimeUnit.SECONDS)).containsExactlyInAnyOrder("a1", "a2", "a3");

            // Long enough for the two answers to cross Redis on a loaded machine; c2 never answers, so it always runs out.
            CompletableFuture<List<Object>> partial = of(n2, "/").timeout(Duration.ofMillis(2000))
                    .emitWithAck("question", "again").toCompletableFuture();
            answer(c1, "b1");
            answer(c3, "b3");
            c2.ws().nextText();
            assertThatThrownBy(() -> partial.get(5, TimeUnit.SECONDS)).cause().isInstanceOf(ClusterTimeoutException.class)
                    .satisfies(e -> assertThat(((ClusterTimeoutException) e).partialResults()).containsExactlyInAnyOrder("b1", "b3"));
        }
    }

    private static void answer(Client client, String value) {
        String text = client.ws().nextText();
        Matcher question = Pattern.compile("42(\\d+)\\[\"question\",.*").matcher(text);
        assertThat(question.matches()).as("a question with an ack id: %s", text).isTrue();
        client.ws().sendText("43" + question.group(1) + "[\"" + value + "\"]");
    }

    @Test
    void builtInFeaturesAreClusterWide() throws Exception {
        try (RawWebSocket onN1 = subscribed(n1, "zoe"); RawWebSocket onN3 = subscribed(n3, "zoe");
             Client chatter = n2.open("/", null); Client listener = n3.open("/", null)) {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(n2.apiUri("/api/v1/notifications/zoe"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"n\":1}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(202);
            assertThat(onN1.nextText()).isEqualTo("42[\"notification\",{\"n\":1}]");
            assertThat(onN3.nextText()).isEqualTo("42[\"notification\",{\"n\":1}]");

            chatter.ws().sendText("42[\"chatToServer\",\"across\"]");
            assertThat(listener.ws().nextText()).isEqualTo("42[\"chatToClient\",\"across\"]");
        }
    }

    @Test
    void jsonPublishedOnTheDataUpdateChannelReachesEveryNodesClientsOnce() {
        try (Client c1 = n1.open("/", null); Client c2 = n2.open("/", null); Client c3 = n3.open("/", null)) {
            String receivers = RedisFixture.command(redis.host(), redis.port(), "PUBLISH", "dataUpdate", "{\"v\":42}");

            if (redis.cluster() == null) {
                // On a Redis Cluster the count is of the subscribers on the node asked; the message reaches all.
                assertThat(Integer.parseInt(receivers.substring(1))).as("the three nodes subscribe to dataUpdate").isGreaterThanOrEqualTo(3);
            }
            for (Client client : List.of(c1, c2, c3)) {
                assertThat(client.ws().nextText()).isEqualTo("42[\"dataUpdated\",{\"v\":42}]");
            }
            marker(n1, "/");
            for (Client client : List.of(c1, c2, c3)) {
                assertThat(client.ws().nextText()).as("no second copy").isEqualTo(markerText("/"));
            }
        }
    }

    private static RawWebSocket subscribed(ProductNode node, String user) {
        RawWebSocket ws = node.connect("/", "{\"userId\":\"" + user + "\"}");
        ws.sendText("421[\"subscribeToNotifications\"]");
        assertThat(ws.nextText()).isEqualTo("431[{\"subscribed\":\"" + user + "\"}]");
        return ws;
    }

    @Test
    void aNodeThatLeavesStopsBeingCountedAndRequestsDoNotWaitForIt() {
        Map<String, String> env = Map.of("REDIS_URL", redis.uri());
        try (ProductNode extra = ProductNode.start(env, "--redisKey=" + KEY, "--nodeId=extra", "--clusterRequestTimeout=2000", transportFlag)) {
            await().atMost(Duration.ofSeconds(5)).until(() -> serverCount(n1, "/") == 4);
        }

        await().atMost(Duration.ofSeconds(5)).until(() -> serverCount(n1, "/") == 3);
        // Waiting for the node that left would end in a ClusterTimeoutException instead of the two answers.
        List<Object> answers = of(n1, "/").serverSideEmitWithAck("nodeInfo").toCompletableFuture().join();
        assertThat(answers).hasSize(2);
    }


}
