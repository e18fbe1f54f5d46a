package io.realtime.gateway.testing;

import com.corundumstudio.socketio.AckMode;
import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.SocketIOServer;
import io.realtime.gateway.GatewayNode;
import io.realtime.gateway.config.GatewayConfig;
import io.realtime.gateway.conformance.ConformanceFeatures;
import io.realtime.gateway.server.GatewayServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A node on a free port of 127.0.0.1 for one test, with the compatibility fixtures installed.
 *
 * <p>With {@code -Dgateway.baseline=plain} the same tests run against unmodified netty-socketio with the same
 * features, which shows which of them only pass thanks to our protocol layer.
 */
public final class TestNode implements AutoCloseable {

    private static final boolean PLAIN_BASELINE = "plain".equals(System.getProperty("gateway.baseline"));

    private final SocketIOServer server;
    private final int port;
    /** Null in baseline mode (a plain netty-socketio server). */
    private final GatewayNode node;

    private TestNode(SocketIOServer server, int port, GatewayNode node) {
        this.server = server;
        this.port = port;
        this.node = node;
    }

    /** A conformance-mode node with the fixtures; {@code flags} are node flags such as {@code --pingInterval=300}. */
    public static TestNode start(String... flags) {
        return start(server -> { }, flags);
    }

    /** As {@link #start(String...)}, with more features installed before the node accepts connections. */
    public static TestNode start(java.util.function.Consumer<SocketIOServer> extra, String... flags) {
        List<String> args = new ArrayList<>(List.of("--host=127.0.0.1", "--port=0", "--managementPort=0", "--conformance"));
        args.addAll(List.of(flags));
        GatewayConfig config = GatewayConfig.load(Map.of(), args.toArray(String[]::new));
        if (PLAIN_BASELINE) {
            return startPlain(config);
        }
        GatewayNode node = GatewayNode.start(config, server -> {
            CompatFixtures.install(server);
            extra.accept(server);
        });
        RecoveryFixtures.install(node.server(), node.cluster());
        return new TestNode(node.server(), node.socketIoAddress().getPort(), node);
    }

    private static TestNode startPlain(GatewayConfig config) {
        Configuration configuration = new Configuration();
        configuration.setHostname("127.0.0.1");
        int port = freePort();
        configuration.setPort(port);
        configuration.setPingInterval((int) config.engine().pingInterval().toMillis());
        configuration.setPingTimeout((int) config.engine().pingTimeout().toMillis());
        configuration.setMaxHttpContentLength(config.engine().maxPayload());
        configuration.setMaxFramePayloadLength(config.engine().maxPayload());
        configuration.setAckMode(AckMode.MANUAL);
        SocketIOServer server = new SocketIOServer(configuration);
        ConformanceFeatures.install(server);
        CompatFixtures.install(server);
        server.start();
        return new TestNode(server, port, null);
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return port;
    }

    public URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + port + pathAndQuery);
    }

    public URI webSocketUri(String pathAndQuery) {
        return URI.create("ws://127.0.0.1:" + port + pathAndQuery);
    }

    /** The server, through netty-socketio's public API. */
    public SocketIOServer server() {
        return server;
    }

    /** Our server, for what only it offers (sessions); fails in baseline mode. */
    public GatewayServer gateway() {
        if (!(server instanceof GatewayServer gateway)) {
            throw new AssertionError("not a gateway server (baseline mode)");
        }
        return gateway;
    }

    /** The node's metrics as Prometheus reads them; fails in baseline mode. */
    public String scrape() {
        if (node == null) {
            throw new AssertionError("no metrics in baseline mode");
        }
        return node.metrics().scrape();
    }

    /** Stops the whole node (server, cluster link, internal port and its threads), or the baseline's server. */
    @Override
    public void close() {
        if (node != null) {
            node.stop();
        } else {
            server.stop();
        }
    }
}
