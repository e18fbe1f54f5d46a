package io.realtime.gateway.cluster;

import io.realtime.cluster.ClusterNamespace;
import io.realtime.cluster.SocketDetails;
import io.realtime.cluster.testing.RedisFixture;
import io.realtime.gateway.testing.ProductNode;
import io.realtime.gateway.testing.ProductNode.Client;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Mixed clusters: a gateway node and a Node.js socket.io node ({@code compat/interop/node-server.js}) in the same
 * Redis, both on {@code @socket.io/redis-adapter}'s classic {@code createAdapter} or both on its
 * {@code createShardedAdapter} (dynamic subscriptions); each side's cluster calls see and reach the other's sockets.
 */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"classic", "sharded"})
class NodeInteropTest {

    private static ProductNode java;
    private static Process node;
    private static String nodeSocketId;
    private static String key;
    private static final BlockingQueue<String> nodeOutput = new LinkedBlockingQueue<>();

    @Parameter
    String transport;

    @BeforeParameterizedClassInvocation
    static void start(String transport) throws Exception {
        key = "interop-" + UUID.randomUUID();
        String redis = RedisFixture.shared().uri();
        nodeOutput.clear();
        java = ProductNode.start(Map.of("REDIS_URL", redis), "--redisKey=" + key, "--nodeId=java", "--dashboardInterval=60000",
                "--redisAdapter=" + transport);
        Path compat = Path.of("..", "compat").toAbsolutePath().normalize();
        assertThat(Files.isDirectory(compat.resolve("node_modules/socket.io")))
                .as("compat/node_modules is installed (npm ci in compat/)").isTrue();
        node = new ProcessBuilder("node", "interop/node-server.js", redis, key, transport).directory(compat.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    nodeOutput.add(line);
                }
            } catch (java.io.IOException ignored) {
                // the process ended
            }
        }, "node-server-output");
        reader.setDaemon(true);
        reader.start();
        String ready = nodeOutput.poll(20, TimeUnit.SECONDS);
        assertThat(ready).as("node-server.js started").startsWith("READY ");
        nodeSocketId = ready.split(" ")[2];
        await().atMost(Duration.ofSeconds(5)).until(() -> main().serverCount().toCompletableFuture().join() == 2);
    }

    @AfterParameterizedClassInvocation
    static void stop() throws Exception {
        if (node != null) {
            node.getOutputStream().close();
            if (!node.waitFor(5, TimeUnit.SECONDS)) {
                node.destroyForcibly();
            }
        }
        if (java != null) {
            java.close();
        }
    }

    private static ClusterNamespace main() {
        return java.node().cluster().of("/");
    }

    @Test
    void fetchSocketsFromJavaSeesTheNodeNodesSockets() {
        List<SocketDetails> sockets = main().to("node-room").fetchSockets().toCompletableFuture().join();

        assertThat(sockets).extracting(SocketDetails::id).containsExactly(nodeSocketId);
        assertThat(sockets.get(0).rooms()).contains("node-room", nodeSocketId);
        assertThat(sockets.get(0).handshake()).containsKey("headers");
    }

    @Test
    void serverSideEmitWithAckFromJavaReachesTheNodeNode() {
        List<Object> answers = main().serverSideEmitWithAck("nodeInfo").toCompletableFuture().join();

        assertThat(answers).hasSize(1);
        assertThat(((Map<?, ?>) answers.get(0)).get("nodeId")).isEqualTo("node-js");
    }

    @Test
    void javaBroadcastsReachTheNodeNodesClientsInRoomsAndByJoin() throws Exception {
        main().to("node-room").emit("fromJava", Map.of("n", 1), new byte[] {7});
        assertThat(nextLine("GOT fromJava")).startsWith("GOT fromJava [{\"n\":1},{\"type\":\"Buffer\",\"data\":[7]}]");

        main().to(nodeSocketId).socketsJoin("joined-from-java");
        await().atMost(Duration.ofSeconds(5)).until(() -> main().to("joined-from-java").fetchSockets()
                .toCompletableFuture().join().size() == 1);
        main().to("joined-from-java").emit("inJoinedRoom");
        assertThat(nextLine("GOT inJoinedRoom")).isEqualTo("GOT inJoinedRoom []");
    }

    @Test
    void nodeBroadcastsRequestsAndAcksReachTheJavaNode() throws Exception {
        try (Client client = java.open("/", null)) {
            main().to(client.sid()).socketsJoin("java-room");
            // Sharded (dynamic): the room's channel is subscribed once the room exists here; a send before that is lost.
            await().atMost(Duration.ofSeconds(5)).until(() -> !transport.equals("sharded")
                    || RedisFixture.shared().shardSubscribers(key + "#/#java-room#") == 1);

            command("EMIT fromNode java-room");
            assertThat(client.ws().nextText()).isEqualTo("42[\"fromNode\",\"from-node\"]");

            command("FETCH java-room");
            assertThat(nextLine("FETCHED")).isEqualTo("FETCHED [\"" + client.sid() + "\"]");

            command("SSE nodeInfo");
            assertThat(nextLine("SSE")).contains("\"nodeId\":\"java\"");

            command("ASK question");
            Matcher question = Pattern.compile("42(\\d+)\\[\"question\",\"from-node\"]").matcher(client.ws().nextText());
            assertThat(question.matches()).isTrue();
            client.ws().sendText("43" + question.group(1) + "[\"java-answer\"]");
            assertThat(nextLine("ASKED")).isIn("ASKED [\"node-answer\",\"java-answer\"]", "ASKED [\"java-answer\",\"node-answer\"]");
        }
    }

    @Test
    void aNodeSendToOneJavaSocketByItsIdReachesIt() throws Exception {
        try (Client client = java.open("/", null)) {
            // Sharded, dynamic: Node's adapter keeps a send to a room shaped like a socket id on the namespace channel.
            command("EMIT toOne " + client.sid());
            assertThat(client.ws().nextText()).isEqualTo("42[\"toOne\",\"from-node\"]");
            assertThat(nextLine("EMITTED")).startsWith("EMITTED");
        }
    }

    @Test
    void emitWithAckFromJavaCollectsTheNodeClientsAnswer() throws Exception {
        try (Client client = java.open("/", null)) {
            CompletableFuture<List<Object>> acks = main().timeout(Duration.ofSeconds(3)).emitWithAck("question").toCompletableFuture();
            Matcher question = Pattern.compile("42(\\d+)\\[\"question\"]").matcher(client.ws().nextText());
            assertThat(question.matches()).isTrue();
            client.ws().sendText("43" + question.group(1) + "[\"java-answer\"]");

            assertThat(acks.get(5, TimeUnit.SECONDS)).containsExactlyInAnyOrder("java-answer", "node-answer");
        }
    }

    private static void command(String line) throws java.io.IOException {
        OutputStream in = node.getOutputStream();
        in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    /** The next line of the Node node's output that starts with {@code prefix} (others are skipped). */
    private static String nextLine(String prefix) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            String line = nodeOutput.poll(100, TimeUnit.MILLISECONDS);
            if (line != null && line.startsWith(prefix)) {
                return line;
            }
            if (line != null) {
                assertThat(line).as("the Node node reported an error").doesNotStartWith("ERROR");
            }
        }
        throw new AssertionError("the Node node printed no line starting with " + prefix + " within 5 s");
    }
}
