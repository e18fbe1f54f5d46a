package io.realtime.gateway.admin;

import at.favre.lib.crypto.bcrypt.BCrypt;
import com.fasterxml.jackson.databind.JsonNode;
import io.realtime.cluster.SocketDetails;
import io.realtime.cluster.testing.RedisFixture;
import io.realtime.gateway.testing.ProductNode;
import io.realtime.gateway.testing.ProductNode.Client;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The admin namespace of {@code @socket.io/admin-ui}, spoken to raw, on two development-mode nodes and one read-only
 * production node sharing one Redis: login, sessions shared by the cluster, config, every node's stats, the live
 * feed, commands applied cluster-wide, and bad input refused without changing anything.
 */
class AdminUiTest {

    static final String PASSWORD = "s3cret-admin";
    static final String HASH = BCrypt.withDefaults().hashToString(4, PASSWORD.toCharArray());
    static final String LOGIN = "{\"username\":\"admin\",\"password\":\"" + PASSWORD + "\"}";

    private static ProductNode a;
    private static ProductNode b;
    private static ProductNode readonly;

    @BeforeAll
    static void start() {
        String key = "admin-test-" + UUID.randomUUID();
        Map<String, String> env = Map.of("REDIS_URL", RedisFixture.shared().uri(), "ADMIN_UI_USERNAME", "admin",
                "ADMIN_UI_PASSWORD_HASH", HASH);
        a = ProductNode.start(env, "--redisKey=" + key, "--nodeId=a", "--adminUi=development", "--clusterRequestTimeout=2000");
        b = ProductNode.start(env, "--redisKey=" + key, "--nodeId=b", "--adminUi=development", "--clusterRequestTimeout=2000");
        readonly = ProductNode.start(env, "--redisKey=" + key, "--nodeId=r", "--adminUi=production", "--adminUiReadonly=true",
                "--clusterRequestTimeout=2000");
        await().atMost(Duration.ofSeconds(5)).until(() -> a.node().cluster().of("/").serverCount().toCompletableFuture().join() == 3);
    }

    @AfterAll
    static void stop() {
        for (ProductNode node : new ProductNode[] {a, b, readonly}) {
            if (node != null) {
                node.close();
            }
        }
    }

    @Test
    void wrongCredentialsAndForgedSessionsAreRefusedWithTheUisMessage() {
        for (String auth : List.of("{\"username\":\"admin\",\"password\":\"wrong\"}", "{\"username\":\"root\",\"password\":\"" + PASSWORD + "\"}",
                "{\"sessionId\":\"0123456789abcdef\"}", "{}", "{\"username\":[1],\"password\":{\"x\":1}}")) {
            try (AdminClient refused = AdminClient.connect(a, auth)) {
                assertThat(refused.connectAnswer()).as(auth).isEqualTo("44/admin,{\"message\":\"invalid credentials\"}");
            }
        }
        // The node keeps serving: the right password still works.
        try (AdminClient admin = AdminClient.connect(a, LOGIN)) {
            assertThat(admin.isConnected()).isTrue();
        }
    }

    @Test
    void aLoginGetsASessionThatEveryNodeAcceptsAndTheConfig() {
        String sessionId;
        try (AdminClient admin = AdminClient.connect(a, LOGIN)) {
            assertThat(admin.connectAnswer()).startsWith("40/admin,{\"sid\":");
            sessionId = admin.await("session", args -> true).get(0).asText();
            assertThat(sessionId).matches("[0-9a-f]{16}");
            JsonNode features = admin.await("config", args -> true).get(0).get("supportedFeatures");
            assertThat(texts(features)).containsExactlyInAnyOrder("EMIT", "JOIN", "LEAVE", "DISCONNECT", "MJOIN", "MLEAVE",
                    "MDISCONNECT", "AGGREGATED_EVENTS", "ALL_EVENTS");
            admin.await("all_sockets", args -> args.get(0).isArray());
        }
        // A reload reaches another node: the session is in Redis.
        try (AdminClient reloaded = AdminClient.connect(b, "{\"sessionId\":\"" + sessionId + "\"}")) {
            assertThat(reloaded.isConnected()).isTrue();
            // A new login's session id would have come ahead of the config.
            reloaded.await("config", args -> true);
            assertThat(reloaded.find("session", args -> true)).isEmpty();
        }
    }

    /** Two clusters (their own REDIS_KEY) on one Redis server, e.g. staging and production: a session is its cluster's. */
    @Test
    void anotherClusterOnTheSameRedisDoesNotAcceptTheSession() {
        String sessionId;
        try (AdminClient admin = AdminClient.connect(a, LOGIN)) {
            sessionId = admin.await("session", args -> true).get(0).asText();
        }
        Map<String, String> env = Map.of("REDIS_URL", RedisFixture.shared().uri(), "ADMIN_UI_USERNAME", "admin",
                "ADMIN_UI_PASSWORD_HASH", HASH);
        try (ProductNode other = ProductNode.start(env, "--redisKey=admin-other-" + UUID.randomUUID(), "--nodeId=o",
                "--adminUi=production");
             AdminClient reloaded = AdminClient.connect(other, "{\"sessionId\":\"" + sessionId + "\"}")) {
            assertThat(reloaded.connectAnswer()).isEqualTo("44/admin,{\"message\":\"invalid credentials\"}");
        }
    }

    @Test
    void onARedisClusterTheSessionsAreSharedThroughTheClustersConnection() {
        String key = "admin-test-" + UUID.randomUUID();
        Map<String, String> env = Map.of("REDIS_URL", RedisFixture.sharedCluster().uri(), "ADMIN_UI_USERNAME", "admin",
                "ADMIN_UI_PASSWORD_HASH", HASH);
        try (ProductNode first = ProductNode.start(env, "--redisKey=" + key, "--nodeId=c1", "--adminUi=production");
             ProductNode second = ProductNode.start(env, "--redisKey=" + key, "--nodeId=c2", "--adminUi=production")) {
            String sessionId;
            try (AdminClient admin = AdminClient.connect(first, LOGIN)) {
                sessionId = admin.await("session", args -> true).get(0).asText();
            }
            try (AdminClient reloaded = AdminClient.connect(second, "{\"sessionId\":\"" + sessionId + "\"}")) {
                assertThat(reloaded.isConnected()).isTrue();
            }
        }
    }

    @Test
    void everyNodeReportsItsStatsEveryTwoSeconds() {
        try (AdminClient admin = AdminClient.connect(a, LOGIN); Client client = b.open("/", null)) {
            for (String id : List.of("a", "b", "r")) {
                JsonNode stats = admin.await("server_stats", args -> args.get(0).get("serverId").asText().equals(id)).get(0);
                assertThat(stats.get("hostname").asText()).isNotEmpty();
                assertThat(stats.get("pid").asLong()).isEqualTo(ProcessHandle.current().pid());
                assertThat(stats.get("uptime").asDouble()).isPositive();
                assertThat(stats.get("pollingClientsCount").isInt()).isTrue();
                assertThat(stats.get("aggregatedEvents").isArray()).isTrue();
                assertThat(texts(stats.get("namespaces").findValues("name"))).contains("/", "/chat", "/admin");
            }
            JsonNode withClient = admin.await("server_stats", args -> args.get(0).get("serverId").asText().equals("b")
                    && args.get(0).get("clientsCount").asInt() >= 1
                    && args.get(0).get("aggregatedEvents").findValues("type").stream().anyMatch(t -> t.asText().equals("rawConnection"))).get(0);
            assertThat(withClient.get("aggregatedEvents").get(0).has("timestamp")).isTrue();
        }
    }

    @Test
    void developmentModeListsAndFollowsTheSocketsOfEveryNode() throws Exception {
        try (Client early = b.open("/", null); AdminClient admin = AdminClient.connect(a, LOGIN)) {
            JsonNode all = admin.await("all_sockets", args -> true).get(0);
            JsonNode listed = find(all, early.sid());
            assertThat(listed.get("nsp").asText()).isEqualTo("/");
            assertThat(listed.get("transport").asText()).isEqualTo("websocket");
            assertThat(listed.get("clientId").asText()).hasSize(12);
            assertThat(listed.get("handshake").get("address").asText()).isEqualTo("127.0.0.1");

            Client late = b.open("/", "{\"userId\":\"zoe\"}");
            JsonNode connected = admin.await("socket_connected", args -> args.get(0).get("id").asText().equals(late.sid())).get(0);
            assertThat(connected.get("transport").asText()).isEqualTo("websocket");
            late.ws().sendText("42[\"subscribeToNotifications\"]");
            admin.await("event_received", args -> args.get(1).asText().equals(late.sid())
                    && args.get(2).get(0).asText().equals("subscribeToNotifications"));
            admin.await("room_joined", args -> args.get(0).asText().equals("/") && args.get(1).asText().equals("zoe")
                    && args.get(2).asText().equals(late.sid()));
            // A broadcast is reported for each recipient, on whichever node it is.
            late.ws().sendText("42[\"chatToServer\",\"to all\"]");
            for (String recipient : List.of(early.sid(), late.sid())) {
                admin.await("event_sent", args -> args.get(0).asText().equals("/") && args.get(1).asText().equals(recipient)
                        && args.get(2).get(0).asText().equals("chatToClient") && args.get(2).get(1).asText().equals("to all"));
            }
            late.close();
            admin.await("socket_disconnected", args -> args.get(1).asText().equals(late.sid())
                    && args.get(2).asText().equals("transport close"));
        }
    }

    /**
     * socket.io's adapter reports the room of a socket's own id joined as it connects, and every room of it left as it
     * disconnects (after socket_disconnected, from the Admin UI's server): the UI keeps a room until it is reported
     * left, so without these its Rooms view kept every room of every socket that ever connected.
     */
    @Test
    void aDisconnectedSocketsRoomsAreReportedLeftItsOwnIncluded() {
        try (AdminClient admin = AdminClient.connect(a, LOGIN); Client client = b.open("/chat", null)) {
            String sid = client.sid();
            assertThat(chat(client, 1, "joinRoom", "kitchen")).contains("\"joined\":true");
            admin.await("room_joined", room("/chat", "kitchen", sid));

            client.close();
            admin.await("socket_disconnected", args -> args.get(1).asText().equals(sid));
            admin.await("room_left", room("/chat", "kitchen", sid));
            admin.await("room_left", room("/chat", sid, sid));
            // Reported joined as it connected, as left as it went.
            assertThat(admin.find("room_joined", room("/chat", sid, sid))).isPresent();
            assertThat(admin.all("room_left", args -> args.get(2).asText().equals(sid)))
                    .extracting(args -> args.get(1).asText()).containsExactlyInAnyOrder(sid, "kitchen");
        }
    }

    /** Only a change of membership is reported, as socket.io's adapter does: the UI would list the socket twice. */
    @Test
    void aRoomJoinedTwiceIsReportedJoinedOnceAndLeftOnce() {
        try (AdminClient admin = AdminClient.connect(a, LOGIN); Client client = b.open("/chat", null)) {
            admin.await("config", args -> true);
            String sid = client.sid();
            chat(client, 1, "joinRoom", "twice");
            chat(client, 2, "joinRoom", "twice");
            // Reported by the same node after the two joins: once it is here, so is what the joins reported.
            chat(client, 3, "joinRoom", "twice-marker");
            admin.await("room_joined", room("/chat", "twice-marker", sid));
            assertThat(admin.all("room_joined", room("/chat", "twice", sid))).hasSize(1);

            chat(client, 4, "leaveRoom", "twice");
            chat(client, 5, "leaveRoom", "twice");
            chat(client, 6, "leaveRoom", "twice-marker");
            admin.await("room_left", room("/chat", "twice-marker", sid));
            assertThat(admin.all("room_left", room("/chat", "twice", sid))).hasSize(1);
        }
    }

    /** The UI's leave of a room for the whole namespace: one room_left for each member, none for the other sockets. */
    @Test
    void aLeaveOfTheWholeNamespaceReportsOnlyTheRoomsMembers() {
        try (AdminClient admin = AdminClient.connect(a, LOGIN); Client member = b.open("/chat", null);
             Client here = a.open("/chat", null); Client there = b.open("/chat", null)) {
            admin.await("config", args -> true);
            chat(member, 1, "joinRoom", "patio");
            admin.await("room_joined", room("/chat", "patio", member.sid()));

            admin.send("leave", "/chat", "patio");
            admin.await("room_left", room("/chat", "patio", member.sid()));
            // Sent after the leave, applied after it on each node: once each socket's join is here, so is what the
            // leave reported.
            admin.send("join", "/chat", "after-patio");
            for (Client client : List.of(member, here, there)) {
                admin.await("room_joined", room("/chat", "after-patio", client.sid()));
            }
            assertThat(admin.all("room_left", args -> args.get(1).asText().equals("patio")))
                    .extracting(args -> args.get(2).asText()).containsExactly(member.sid());
        }
    }

    @Test
    void commandsActOnSocketsOfOtherNodes() {
        try (Client client = b.open("/", null); AdminClient admin = AdminClient.connect(a, LOGIN)) {
            admin.await("config", args -> true);
            admin.send("join", "/", "vip", client.sid());
            await().atMost(Duration.ofSeconds(5)).until(() -> idsIn("/", "vip").contains(client.sid()));
            admin.send("emit", "/", "vip", "news", 1, Map.of("k", "v"));
            assertThat(client.ws().nextTextSkippingPings()).isEqualTo("42[\"news\",1,{\"k\":\"v\"}]");
            admin.send("leave", "/", "vip", client.sid());
            await().atMost(Duration.ofSeconds(5)).until(() -> !idsIn("/", "vip").contains(client.sid()));
            admin.send("_disconnect", "/", true, client.sid());
            assertThat(client.ws().closed()).succeedsWithin(Duration.ofSeconds(5));
        }
    }

    @Test
    void malformedCommandsChangeNothingAndTheNodeKeepsServing() {
        try (Client client = b.open("/", null); AdminClient admin = AdminClient.connect(a, LOGIN)) {
            admin.await("config", args -> true);
            admin.send("join", 123, "bad1", client.sid());
            admin.send("join", "/nowhere", "bad2", client.sid());
            admin.send("join", "/", Map.of("room", "bad3"), client.sid());
            admin.send("join", "/", "bad4", List.of(client.sid()));
            admin.send("join");
            admin.send("_disconnect", "/", "yes", client.sid());
            admin.send("_disconnect", "/nowhere", true);
            admin.send("emit", "/", client.sid(), "disconnect");
            admin.send("emit", "/", 42, "news");
            admin.send("leave", "/", "", client.sid());
            // A valid command sent after them is applied: the ones before were handled (and dropped) first.
            admin.send("join", "/", "good", client.sid());
            await().atMost(Duration.ofSeconds(5)).until(() -> idsIn("/", "good").contains(client.sid()));
            assertThat(roomsOf(client.sid())).containsExactlyInAnyOrder(client.sid(), "good");
            assertThat(client.ws().closed()).isNotDone();
            assertThat(admin.isConnected()).isTrue();
        }
    }

    /**
     * Every command sent to a read-only node is ignored. The commands target a socket of that node itself, where an
     * applied join, leave, disconnect or emit would take effect while the command is handled; and the admin's
     * connection then connects to /chat: the node handles a connection's packets in order, so once that CONNECT is
     * answered the commands before it were handled, and what they changed would show.
     */
    @Test
    void readOnlyModeOffersNoCommandAndRefusesThem() {
        try (Client client = readonly.open("/chat", null); AdminClient admin = AdminClient.connect(readonly, LOGIN)) {
            String sid = client.sid();
            assertThat(chat(client, 1, "joinRoom", "kept")).contains("\"joined\":true");
            JsonNode features = admin.await("config", args -> true).get(0).get("supportedFeatures");
            assertThat(texts(features)).containsExactly("AGGREGATED_EVENTS");

            admin.send("emit", "/chat", sid, "news", "from a read-only UI");
            admin.send("join", "/chat", "ro", sid);
            admin.send("leave", "/chat", "kept", sid);
            admin.send("_disconnect", "/chat", true, sid);
            admin.send("join", "/chat", "ro-everyone");
            admin.sendRaw("40/chat,");
            admin.awaitOther(text -> text.startsWith("40/chat,{"));

            assertThat(client.ws().closed()).as("disconnected").isNotDone();
            assertThat(readonly.node().cluster().of("/chat").local().to(sid).fetchSockets().toCompletableFuture().join())
                    .flatExtracting(SocketDetails::rooms).containsExactlyInAnyOrder(sid, "kept");
            // The client's own round trip: an emit applied before it would have been written to the client first.
            List<String> before = new ArrayList<>();
            client.ws().sendText("42/chat,2[\"joinRoom\",\"after\"]");
            for (String text = client.ws().nextTextSkippingPings(); !text.startsWith("43/chat,2["); text = client.ws().nextTextSkippingPings()) {
                before.add(text);
            }
            assertThat(before).noneMatch(text -> text.contains("news"));
        }
    }

    @Test
    void theUiIsServedWithoutExternalHosts() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> index = http.send(HttpRequest.newBuilder(a.uri("/admin-ui/")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(index.statusCode()).isEqualTo(200);
        assertThat(index.body()).contains("Socket.IO Admin UI", "vendor/roboto/roboto.css", "vendor/mdi/css/materialdesignicons.min.css")
                .doesNotContain("https://");
        for (String asset : List.of("vendor/roboto/roboto.css", "vendor/roboto/400.css", "vendor/roboto/files/roboto-latin-400-normal.woff2",
                "vendor/mdi/css/materialdesignicons.min.css", "vendor/mdi/fonts/materialdesignicons-webfont.woff2?v=7.4.47", "favicon.png")) {
            assertThat(http.send(HttpRequest.newBuilder(a.uri("/admin-ui/" + asset)).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode()).as(asset).isEqualTo(200);
        }
        assertThat(http.send(HttpRequest.newBuilder(a.uri("/admin-ui/../pom.xml")).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode()).isEqualTo(404);
    }

    /** The arguments of a room_joined or room_left: namespace, room, socket id. */
    private static java.util.function.Predicate<JsonNode> room(String nsp, String room, String id) {
        return args -> args.get(0).asText().equals(nsp) && args.get(1).asText().equals(room) && args.get(2).asText().equals(id);
    }

    /** Sends a /chat event with one string argument and answers its ack. */
    private static String chat(Client client, int ackId, String event, String argument) {
        client.ws().sendText("42/chat," + ackId + "[\"" + event + "\",\"" + argument + "\"]");
        String prefix = "43/chat," + ackId + "[";
        for (String text = client.ws().nextTextSkippingPings(); ; text = client.ws().nextTextSkippingPings()) {
            if (text.startsWith(prefix)) {
                return text.substring(prefix.length() - 1);
            }
        }
    }

    private static JsonNode find(JsonNode sockets, String id) {
        for (JsonNode socket : sockets) {
            if (socket.get("id").asText().equals(id)) {
                return socket;
            }
        }
        throw new AssertionError("socket " + id + " not in " + sockets);
    }

    private static List<String> idsIn(String nsp, String room) {
        return a.node().cluster().of(nsp).to(room).fetchSockets().toCompletableFuture().join().stream().map(SocketDetails::id).toList();
    }

    private static List<String> roomsOf(String id) {
        return a.node().cluster().of("/").to(id).fetchSockets().toCompletableFuture().join().stream()
                .flatMap(s -> s.rooms().stream()).toList();
    }

    private static List<String> texts(Iterable<JsonNode> nodes) {
        List<String> out = new ArrayList<>();
        nodes.forEach(node -> out.add(node.asText()));
        return out;
    }
}
