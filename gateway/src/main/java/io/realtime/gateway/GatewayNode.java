package io.realtime.gateway;

import com.corundumstudio.socketio.AckMode;
import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.SocketConfig;
import com.corundumstudio.socketio.SocketIOServer;
import io.realtime.gateway.api.GatewayRegistrar;
import io.realtime.gateway.api.RegisteredGateway;
import io.realtime.gateway.api.Validators;
import io.realtime.gateway.auth.AuthSettings;
import io.realtime.gateway.auth.HandshakeAuthenticator;
import io.realtime.gateway.auth.JwksKeyCache;
import io.realtime.gateway.auth.JwtVerifier;
import io.realtime.gateway.auth.TokenVerifier;
import io.realtime.gateway.backend.BackendApiServer;
import io.realtime.gateway.broadcast.Broadcaster;
import io.realtime.gateway.broadcast.LocalBroadcaster;
import io.realtime.gateway.config.GatewayConfig;
import io.realtime.gateway.conformance.ConformanceFeatures;
import io.realtime.gateway.features.ChatGateway;
import io.realtime.gateway.features.DashboardFigures;
import io.realtime.gateway.features.DashboardGateway;
import io.realtime.gateway.features.MainGateway;
import io.realtime.gateway.server.GatewayServer;
import jakarta.validation.Validator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A running gateway node: the Socket.IO server with the built-in features, and the internal HTTP API, started and
 * stopped together. In conformance mode it runs the protocol test server's features instead, and no internal API.
 */
public final class GatewayNode implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(GatewayNode.class);

    private final GatewayConfig config;
    private final GatewayServer server;
    private final List<RegisteredGateway> gateways;
    private final List<AutoCloseable> resources;
    private final BackendApiServer backendApi;

    private GatewayNode(GatewayConfig config, GatewayServer server, List<RegisteredGateway> gateways,
                        List<AutoCloseable> resources, BackendApiServer backendApi) {
        this.config = config;
        this.server = server;
        this.gateways = gateways;
        this.resources = resources;
        this.backendApi = backendApi;
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
        Validator validator = Validators.create();
        Broadcaster broadcaster = new LocalBroadcaster(server);
        List<AutoCloseable> resources = new ArrayList<>();
        List<RegisteredGateway> gateways = List.of();
        if (config.conformance()) {
            ConformanceFeatures.install(server);
        } else {
            GatewayRegistrar registrar = new GatewayRegistrar(server, validator, authenticator(config.auth(), resources));
            Clock clock = Clock.systemUTC();
            registrar.register(new MainGateway(broadcaster, clock));
            registrar.register(new ChatGateway(broadcaster, clock));
            DashboardGateway dashboard = new DashboardGateway(broadcaster,
                    new DashboardFigures(server, server.stats(), config.nodeId(), clock));
            registrar.register(dashboard);
            resources.add(dashboard.start(config.dashboardInterval()));
            gateways = registrar.registered();
        }
        features.accept(server);
        server.startAsync().syncUninterruptibly();
        BackendApiServer backendApi = null;
        if (!config.conformance()) {
            backendApi = BackendApiServer.start(config.host(), config.managementPort(), config.engine().maxPayload(),
                    server, broadcaster, server.jsonMapper(), validator, config.apiKey().orElse(null));
        }
        GatewayNode node = new GatewayNode(config, server, gateways, resources, backendApi);
        log.info("Gateway node '{}' serving Socket.IO on {}{} in {} mode ({})", config.nodeId(), server.localAddress(),
                config.engine().path(), config.conformance() ? "conformance" : "single node, in-memory",
                "no Redis configured");
        return node;
    }

    private static HandshakeAuthenticator authenticator(AuthSettings auth, List<AutoCloseable> resources) {
        if (auth.mode() == AuthSettings.Mode.NONE) {
            log.warn("AUTH_MODE=none: clients are not authenticated and may name themselves (auth.userId)");
            return HandshakeAuthenticator.trusting();
        }
        String issuer = auth.issuer().orElse(null);
        String audience = auth.audience().orElse(null);
        TokenVerifier verifier;
        if (auth.secret().isPresent()) {
            verifier = JwtVerifier.withSecret(auth.secret().get(), issuer, audience);
        } else if (auth.publicKeyFile().isPresent()) {
            try {
                verifier = JwtVerifier.withPublicKeyPem(Files.readString(auth.publicKeyFile().get()), issuer, audience);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        } else {
            try {
                JwksKeyCache keys = new JwksKeyCache(URI.create(auth.jwksUrl().orElseThrow()).toURL(),
                        Duration.ofMinutes(5), Duration.ofSeconds(30)).start();
                resources.add(keys);
                verifier = JwtVerifier.withJwks(keys, issuer, audience);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return new HandshakeAuthenticator(AuthSettings.Mode.JWT, verifier, auth.requiredNamespaces());
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

    /** The gateways this node runs, with their events: the public API. */
    public List<RegisteredGateway> gateways() {
        return gateways;
    }

    public InetSocketAddress socketIoAddress() {
        return server.localAddress();
    }

    /** The internal HTTP port's address; {@code null} in conformance mode. */
    public InetSocketAddress managementAddress() {
        return backendApi == null ? null : backendApi.localAddress();
    }

    public void stop() {
        if (backendApi != null) {
            backendApi.close();
        }
        for (AutoCloseable resource : resources) {
            try {
                resource.close();
            } catch (Exception e) {
                log.warn("closing {} failed", resource, e);
            }
        }
        server.stop();
    }

    @Override
    public void close() {
        stop();
    }
}
