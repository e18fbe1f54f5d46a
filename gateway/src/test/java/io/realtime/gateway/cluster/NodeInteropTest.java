package io.realtime.gateway.cluster;

import io.realtime.cluster.ClusterNamespace;
import io.realtime.cluster.SocketDetails;
import io.realtime.cluster.testing.RedisFixture;
import io.realtime.gateway.testing.ProductNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Java side of interop: a gateway node's cluster calls see and reach a Node.js socket.io node that runs
 * {@code @socket.io/redis-adapter} ({@code compat/interop/node-server.js}) in the same Redis.
 */
class NodeInteropTest {

    private static final String KEY = "interop-" + UUID.randomUUID();
    private static ProductNode java;
    private static Process node;
    private static String nodeSocketId;
    private static final BlockingQueue<String> nodeOutput = new LinkedBlockingQueue<>();

    @BeforeAll
    static void start() throws Exception {
        String redis = RedisFixture.shared().uri();
        java = ProductNode.start(Map.of("REDIS_URL", redis), "--redisKey=" + KEY, "--nodeId=java", "--dashboardInterval=60000");
        Path compat = Path.of("..", "compat").toAbsolutePath().normalize();
        assertThat(Files.isDirectory(compat.resolve("node_modules/socket.io")))
                .as("compat/node_modules is installed (npm ci in compat/)").isTrue();
        node = new ProcessBuilder("node", "interop/node-server.js", redis, KEY).directory(compat.toFile())
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

    @AfterAll
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
        assertThat(nextEvent()).startsWith("GOT fromJava [{\"n\":1},{\"type\":\"Buffer\",\"data\":[7]}]");

        main().to(nodeSocketId).socketsJoin("joined-from-java");
        await().atMost(Duration.ofSeconds(5)).until(() -> main().to("joined-from-java").fetchSockets()
                .toCompletableFuture().join().size() == 1);
        main().to("joined-from-java").emit("inJoinedRoom");
        assertThat(nextEvent()).isEqualTo("GOT inJoinedRoom []");
    }

    private static String nextEvent() throws InterruptedException {
        String line = nodeOutput.poll(5, TimeUnit.SECONDS);
        assertThat(line).as("an event reached the Node node's client").isNotNull();
        return line;
    }
}
