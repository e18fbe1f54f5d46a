package io.realtime.gateway;

import com.corundumstudio.socketio.AckMode;
import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.SocketConfig;
import com.corundumstudio.socketio.SocketIOServer;
import io.realtime.gateway.config.GatewayConfig;
import io.realtime.gateway.conformance.ConformanceFeatures;
import io.realtime.gateway.server.GatewayServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.function.Consumer;

/** A running gateway node: the Socket.IO server and the features installed on it, started and stopped together. */
public final class GatewayNode implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(GatewayNode.class);

    private final GatewayConfig config;
    private final GatewayServer server;

    private GatewayNode(GatewayConfig config, GatewayServer server) {
        this.config = config;
        this.server = server;
    }

    public static GatewayNode start(GatewayConfig config) {
        return start(config, server -> { });
    }

    /** Starts a node with extra features installed on its server before it accepts connections. */
    public static GatewayNode start(GatewayConfig config, Consumer<SocketIOServer> features) {
        if (config.isClustered()) {
            throw new IllegalStateException("REDIS_URL is set, but this build has no cluster adapter yet; unset it to run a single node");
        }
        GatewayServer server = new GatewayServer(socketIoConfiguration(config), config.engine(),
                config.connectTimeout(), config.maxAttachments());
        if (config.conformance()) {
            ConformanceFeatures.install(server);
        }
        features.accept(server);
        server.startAsync().syncUninterruptibly();
        GatewayNode node = new GatewayNode(config, server);
        log.info("Gateway node '{}' serving Socket.IO on {}{} in {} mode ({})", config.nodeId(), server.localAddress(),
                config.engine().path(), config.conformance() ? "conformance" : "single node, in-memory",
                "no Redis configured");
        return node;
    }

    private static Configuration socketIoConfiguration(GatewayConfig config) {
        Configuration configuration = new Configuration();
        configuration.setHostname(config.host());
        configuration.setPort(config.port());
        configuration.setWorkerThreads(config.workerThreads());
        // socket.io semantics: a client's ack callback runs only when the server acknowledges explicitly.
        configuration.setAckMode(AckMode.MANUAL);
        configuration.setUseLinuxNativeEpoll(true);
        SocketConfig socket = new SocketConfig();
        socket.setReuseAddress(true);
        socket.setTcpNoDelay(true);
        configuration.setSocketConfig(socket);
        return configuration;
    }

    public GatewayServer server() {
        return server;
    }

    public GatewayConfig config() {
        return config;
    }

    public InetSocketAddress socketIoAddress() {
        return server.localAddress();
    }

    public void stop() {
        server.stop();
    }

    @Override
    public void close() {
        stop();
    }
}
