package io.realtime.gateway;

import io.realtime.gateway.config.GatewayConfig;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.ref.WeakReference;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** A node's start and stop as an application embedding it sees them: nothing left running, nothing let in late. */
class NodeLifecycleTest {

    private static GatewayConfig config(String... flags) {
        List<String> args = new ArrayList<>(List.of("--host=127.0.0.1", "--managementHost=127.0.0.1"));
        args.addAll(List.of(flags));
        return GatewayConfig.load(Map.of(), args.toArray(String[]::new));
    }

    /** The node's own kinds of threads (event loops, lettuce's): others may come and go with other tests' cleanup. */
    private static Set<Thread> nodeThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(thread -> !thread.isDaemon() && thread.isAlive())
                .filter(thread -> thread.getName().startsWith("multiThreadIoEventLoopGroup")
                        || thread.getName().startsWith("node-") || thread.getName().startsWith("lettuce"))
                .collect(Collectors.toSet());
    }

    @Test
    void aStartThatFailsPartWayLeavesNoThreadRunning() throws IOException {
        for (String busy : new String[] {"--port", "--managementPort"}) {
            try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
                Set<Thread> before = nodeThreads();
                String other = busy.equals("--port") ? "--managementPort=0" : "--port=0";

                assertThatThrownBy(() -> GatewayNode.start(config(busy + "=" + taken.getLocalPort(), other)).stop())
                        .as(busy).hasMessageContaining(String.valueOf(taken.getLocalPort()));

                await().pollInSameThread().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(nodeThreads())
                        .as("threads the failed start left (" + busy + " taken)").isSubsetOf(before));
            }
        }
    }

    @Test
    void aStoppingNodeTakesNoNewClientWhileItClosesTheOthers() throws Exception {
        GatewayNode node = GatewayNode.start(config("--port=0", "--managementPort=0"));
        URI handshake = URI.create("http://127.0.0.1:" + node.socketIoAddress().getPort() + "/socket.io/?EIO=4&transport=polling");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        // A long-polling client that does not poll: the port stays open up to half a second for it to hear the close.
        assertThat(http.send(HttpRequest.newBuilder(handshake).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                .isEqualTo(200);

        CompletableFuture<Void> stopping = CompletableFuture.runAsync(node::stop);
        List<Integer> answers = new ArrayList<>();
        try {
            for (int i = 0; i < 500 && !stopping.isDone(); i++) {
                answers.add(http.send(HttpRequest.newBuilder(handshake).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
            }
        } catch (IOException closed) {
            // The port closed: nothing more to ask.
        }
        stopping.get();

        assertThat(answers).as("handshakes while the node stopped").contains(503);
        assertThat(answers.subList(answers.indexOf(503), answers.size())).as("none taken after the first refusal")
                .containsOnly(503);
    }

    /**
     * An application closes its node while SIGTERM's drain runs (or the other way round): the stop waits for the drain
     * and ends it, rather than stop the event loops under the sessions the drain has still to close.
     */
    @Test
    void aStopDuringADrainWaitsForItRatherThanRacingIt() throws Exception {
        GatewayNode node = GatewayNode.start(config("--port=0", "--managementPort=0", "--drainWindow=6000"));
        // Two sessions: the drain closes the second half-way through its window, 3 s on.
        CompletableFuture<Void> draining = drainUnderWay(node, 2);
        node.stop();

        assertThat(draining).as("the drain ended, without failing, by the time the stop returned")
                .succeedsWithin(Duration.ofMillis(300));
    }

    /**
     * A listener on one of the node's event loops stops the node while the drain runs: the call returns rather than
     * wait there, since the stop under way waits for that loop to end.
     */
    @Test
    void aStopFromAnEventLoopDuringADrainReturnsAndTheDrainEnds() throws Exception {
        GatewayNode node = GatewayNode.start(config("--port=0", "--managementPort=0", "--drainWindow=1000"));
        CompletableFuture<Void> draining = drainUnderWay(node, 1);
        io.netty.util.concurrent.EventExecutor loop = node.server().options().eventLoops().orElseThrow().next();

        assertThat(loop.submit(node::stop)).as("the stop called on an event loop").succeedsWithin(Duration.ofSeconds(2));
        assertThat(draining).as("the drain and its stop").succeedsWithin(Duration.ofSeconds(15));
    }

    /**
     * A listener on one of the node's event loops stops it, the first and only stop: the call returns (the stop waits
     * for every loop to end, that one included, and closes the sessions on it) and the node stops all the same.
     */
    @Test
    void aFirstStopFromAnEventLoopReturnsAndTheNodeStops() throws Exception {
        GatewayNode node = GatewayNode.start(config("--port=0", "--managementPort=0"));
        openSessions(node, 2);
        io.netty.util.concurrent.EventExecutor loop = node.server().options().eventLoops().orElseThrow().next();

        assertThat(loop.submit(node::stop)).as("the stop called on an event loop").succeedsWithin(Duration.ofSeconds(2));
        assertThat(node.stopped()).as("the node's stop").succeedsWithin(Duration.ofSeconds(10));
        assertThat(loop.isTerminated()).as("the calling loop ended").isTrue();
        assertClosed(node.managementAddress().getPort());
    }

    /** The same for SIGTERM's graceful stop asked on an event loop: the drain closes that loop's sessions too. */
    @Test
    void aFirstDrainAndStopFromAnEventLoopReturnsAndTheNodeStops() throws Exception {
        GatewayNode node = GatewayNode.start(config("--port=0", "--managementPort=0", "--drainWindow=500"));
        openSessions(node, 2);
        io.netty.util.concurrent.EventExecutor loop = node.server().options().eventLoops().orElseThrow().next();

        assertThat(loop.submit(node::drainAndStop)).as("the drain called on an event loop").succeedsWithin(Duration.ofSeconds(2));
        assertThat(node.stopped()).as("the node's drain and stop").succeedsWithin(Duration.ofSeconds(10));
        assertThat(node.server().sessionCount()).as("sessions left").isZero();
        assertClosed(node.managementAddress().getPort());
    }

    /**
     * A worker loop stuck in a handler that blocks: SIGTERM's stop still ends, within its bounded waits (the loop's
     * sessions and its end are waited for a while, then left behind), and the internal port closes.
     */
    @Test
    void aStopWithAWorkerLoopStuckEnds() throws Exception {
        GatewayNode node = GatewayNode.start(config("--port=0", "--managementPort=0", "--drainWindow=0"));
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        io.netty.util.concurrent.EventExecutor stuck = node.server().options().eventLoops().orElseThrow().next();
        try {
            stuck.execute(() -> {
                try {
                    release.await(60, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });

            assertThat(CompletableFuture.runAsync(node::drainAndStop)).as("the stop with a stuck loop")
                    .succeedsWithin(Duration.ofSeconds(10));
            assertClosed(node.managementAddress().getPort());
            assertThat(stuck.isTerminated()).as("the stuck loop, left behind").isFalse();
        } finally {
            release.countDown();
        }
        await().atMost(Duration.ofSeconds(5)).until(stuck::isTerminated);
    }

    private static void assertClosed(int port) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/live"))
                .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString()))
                .as("the internal port, closed").isInstanceOf(IOException.class);
    }

    private static void openSessions(GatewayNode node, int sessions) throws Exception {
        URI handshake = URI.create("http://127.0.0.1:" + node.socketIoAddress().getPort() + "/socket.io/?EIO=4&transport=polling");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        for (int i = 0; i < sessions; i++) {
            assertThat(http.send(HttpRequest.newBuilder(handshake).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                    .isEqualTo(200);
        }
    }

    /** Opens {@code sessions} polling sessions that never poll, starts SIGTERM's drain, and waits until the node is unready. */
    private static CompletableFuture<Void> drainUnderWay(GatewayNode node, int sessions) throws Exception {
        URI handshake = URI.create("http://127.0.0.1:" + node.socketIoAddress().getPort() + "/socket.io/?EIO=4&transport=polling");
        URI readiness = URI.create("http://127.0.0.1:" + node.managementAddress().getPort() + "/health/ready");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        for (int i = 0; i < sessions; i++) {
            assertThat(http.send(HttpRequest.newBuilder(handshake).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                    .isEqualTo(200);
        }
        CompletableFuture<Void> draining = CompletableFuture.runAsync(node::drainAndStop);
        await().atMost(Duration.ofSeconds(2)).until(() ->
                http.send(HttpRequest.newBuilder(readiness).build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 503);
        return draining;
    }

    @Test
    void aStoppedNodeIsLeftForTheGarbageCollector() {
        GatewayNode node = GatewayNode.start(config("--port=0", "--managementPort=0"));
        WeakReference<Object> server = new WeakReference<>(node.server());
        node.stop();
        node.stop();
        node = null;

        await().atMost(Duration.ofSeconds(10)).until(() -> {
            System.gc();
            return server.get() == null;
        });
    }
}
