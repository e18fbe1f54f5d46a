package io.realtime.gateway;

import com.corundumstudio.socketio.Configuration;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.realtime.gateway.config.GatewayConfig;
import io.realtime.gateway.server.GatewayServer;
import io.realtime.gateway.server.GatewayServerOptions;
import io.realtime.gateway.testing.WatchedConnections;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.realtime.gateway.testing.WatchedConnections.keepBusy;
import static io.realtime.gateway.testing.WatchedConnections.readSome;
import static io.realtime.gateway.testing.WatchedConnections.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A stopping node leaves no accepted connection open: whatever state a client's connection is in (nothing said yet,
 * idle between keep-alive requests, a request half sent, a long-poll held), it is answered or closed at once, never
 * left for the client's own timeout. A socket left open by a stopped node is one nobody reads: a client that sends
 * its next request on it (a reconnecting client's pooled keep-alive connection) hears nothing until it gives up.
 */
class NodeStopConnectionsTest {

    private static final Duration PROMPTLY = Duration.ofSeconds(2);

    private final WatchedConnections clients = new WatchedConnections();

    @AfterEach
    void closeClients() throws IOException {
        clients.close();
    }

    /**
     * A node whose event loops are busy when it stops, as on a loaded machine: a loop that is running tasks when its
     * shutdown (quiet period 0) begins ends without closing its channels, so the node must not leave that to it.
     */
    @Test
    void aNodeWithBusyLoopsClosesEveryConnectionWhenItStops() throws IOException {
        GatewayNode node = GatewayNode.start(GatewayConfig.load(Map.of(),
                new String[] {"--host=127.0.0.1", "--managementHost=127.0.0.1", "--port=0", "--managementPort=0", "--workerThreads=2"}));
        try {
            Map<String, CompletableFuture<String>> connections = openEveryKind(node.socketIoAddress().getPort());
            for (EventExecutor loop : node.server().options().eventLoops().orElseThrow()) {
                keepBusy(loop);
            }

            node.stop();

            assertAllEndedPromptly(connections);
        } finally {
            node.stop();
        }
    }

    /** An application that lends the server its loops keeps them running after the server stops. */
    @Test
    void aServerOnLentLoopsClosesEveryConnectionWhenItStops() throws IOException {
        Configuration configuration = new Configuration();
        configuration.setHostname("127.0.0.1");
        configuration.setPort(0);
        configuration.setWorkerThreads(2);
        EventLoopGroup loops = GatewayServer.newEventLoops(configuration);
        try {
            GatewayServer server = new GatewayServer(configuration, GatewayServerOptions.builder().eventLoops(loops).build());
            server.startAsync().syncUninterruptibly();
            Map<String, CompletableFuture<String>> connections;
            try {
                connections = openEveryKind(server.localAddress().getPort());
            } finally {
                server.stop();
            }

            assertAllEndedPromptly(connections);
            assertThat(loops.isShuttingDown()).as("the lent loops, still their owner's").isFalse();
        } finally {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** One connection in each state a stop can find it in, by name; each completes with what it read until it ended. */
    private Map<String, CompletableFuture<String>> openEveryKind(int port) throws IOException {
        Map<String, CompletableFuture<String>> connections = new LinkedHashMap<>();
        connections.put("accepted, nothing sent", clients.watch(clients.connect(port)));

        Socket idle = clients.connect(port);
        send(idle, "GET /nothing HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        assertThat(readSome(idle)).startsWith("HTTP/1.1 404");
        connections.put("idle keep-alive", clients.watch(idle));

        Socket handshakeHalfSent = clients.connect(port);
        send(handshakeHalfSent, "GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        connections.put("handshake half sent", clients.watch(handshakeHalfSent));

        Socket handshake = clients.connect(port);
        send(handshake, "GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        String sid = readSome(handshake).replaceFirst("(?s).*\"sid\":\"([^\"]+)\".*", "$1");
        String polling = "/socket.io/?EIO=4&transport=polling&sid=" + sid;
        connections.put("idle after the handshake", clients.watch(handshake));

        Socket poll = clients.connect(port);
        send(poll, "GET " + polling + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        connections.put("long-poll held", clients.watch(poll));

        Socket post = clients.connect(port);
        send(post, "POST " + polling + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: 10\r\n\r\n40");
        connections.put("POST body half sent", clients.watch(post));
        return connections;
    }

    private void assertAllEndedPromptly(Map<String, CompletableFuture<String>> connections) {
        await().atMost(PROMPTLY).untilAsserted(() -> assertThat(connections)
                .allSatisfy((kind, ended) -> assertThat(ended).as(kind + ": still open").isDone()));
        assertThat(connections.get("long-poll held").join()).as("the held poll's answer: the close packet")
                .startsWith("HTTP/1.1 200").endsWith("\r\n\r\n1");
    }
}
