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
import io.realtime.cluster.Cluster;
import io.realtime.cluster.RedisAdapterOptions;
import io.realtime.gateway.broadcast.BroadcastTarget;
import io.realtime.gateway.broadcast.Broadcaster;
import io.realtime.gateway.broadcast.ClusterBroadcaster;
import io.realtime.gateway.features.Events;
import io.realtime.gateway.health.NodeHealth;
import io.realtime.gateway.metrics.GatewayMetrics;
import io.realtime.gateway.config.GatewayConfig;
import io.realtime.gateway.conformance.ConformanceFeatures;
import io.realtime.gateway.features.ChatGateway;
import io.realtime.gateway.features.DashboardFigures;
import io.realtime.gateway.features.DashboardGateway;
import io.realtime.gateway.features.MainGateway;
import io.realtime.gateway.server.GatewayServer;
import io.realtime.gateway.server.TlsContexts;
import io.realtime.gateway.web.DemoPage;
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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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
    private final Cluster cluster;
    private final NodeHealth health;
    private final GatewayMetrics metrics;

    private GatewayNode(GatewayConfig config, GatewayServer server, List<RegisteredGateway> gateways,
                        List<AutoCloseable> resources, BackendApiServer backendApi, Cluster cluster, NodeHealth health,
                        GatewayMetrics metrics) {
        this.health = health;
        this.metrics = metrics;
        this.config = config;
        this.server = server;
        this.gateways = gateways;
        this.resources = resources;
        this.backendApi = backendApi;
        this.cluster = cluster;
    }

    /** Redis channel on which outside services publish JSON that every client of {@code /} receives as {@code dataUpdated}. */
    public static final String DATA_UPDATE_CHANNEL = "dataUpdate";

    private static final Duration CLUSTER_SIZE_SAMPLING = Duration.ofSeconds(5);

    public NodeHealth health() {
        return health;
    }

    public GatewayMetrics metrics() {
        return metrics;
    }

    /** The cluster this node is part of (a single-node one without Redis). */
    public Cluster cluster() {
        return cluster;
    }

    public static GatewayNode start(GatewayConfig config) {
        return start(config, server -> { });
    }

    /** Starts a node with extra features installed on its server before it accepts connections. */
    public static GatewayNode start(GatewayConfig config, Consumer<SocketIOServer> features) {
        GatewayServer server = new GatewayServer(socketIoConfiguration(config), config.engine(),
                config.connectTimeout(), config.maxAttachments(), config.maxConnections());
        server.setEventLimits(config.eventLimits());
        server.setAddressLimits(config.maxConnectionsPerIp(), config.handshakesPerIp());
        if (config.tls().enabled()) {
            server.setTls(TlsContexts.of(config.tls()));
        }
        Validator validator = Validators.create();
        GatewayMetrics metrics = new GatewayMetrics();
        server.addObserver(metrics);
        List<AutoCloseable> resources = new ArrayList<>();
        Cluster cluster = joinCluster(config, server, metrics);
        resources.add(cluster);
        Broadcaster broadcaster = new ClusterBroadcaster(cluster);
        List<RegisteredGateway> gateways = List.of();
        if (config.conformance()) {
            ConformanceFeatures.install(server);
        } else {
            GatewayRegistrar registrar = new GatewayRegistrar(server, validator, authenticator(config.auth(), resources),
                    server.observer());
            Clock clock = Clock.systemUTC();
            registrar.register(new MainGateway(broadcaster, clock));
            registrar.register(new ChatGateway(broadcaster, clock));
            DashboardGateway dashboard = new DashboardGateway(broadcaster,
                    new DashboardFigures(server, server.stats(), config.nodeId(), clock), cluster.of("/"));
            registrar.register(dashboard);
            resources.add(dashboard.start(config.dashboardInterval()));
            gateways = registrar.registered();
            server.addHttpHandler(DemoPage.NAME, new DemoPage(broadcaster, server.jsonMapper(), config.apiKey().isEmpty()));
            // The seed's channel: any service may publish JSON on "dataUpdate"; every node delivers to its own clients.
            cluster.onRedisChannel(DATA_UPDATE_CHANNEL, json -> deliverDataUpdate(server, broadcaster, json));
        }
        features.accept(server);
        cluster.attachAll();
        metrics.knownNames(namespaceNames(server), eventNames(gateways, config.conformance()), handledEvents(gateways));
        metrics.bindServer(server, config.maxConnections());
        metrics.bindCluster(cluster);
        resources.add(0, sampleClusterSize(cluster, metrics));
        NodeHealth health = new NodeHealth(server, cluster);
        server.startAsync().syncUninterruptibly();
        BackendApiServer backendApi = null;
        if (!config.conformance()) {
            backendApi = BackendApiServer.start(config.host(), config.managementPort(), config.engine().maxPayload(),
                    server, broadcaster, server.jsonMapper(), validator, config.apiKey().orElse(null), health, metrics,
                    config.preStopDelay());
        }
        health.serving();
        GatewayNode node = new GatewayNode(config, server, gateways, resources, backendApi, cluster, health, metrics);
        log.info("Gateway node '{}' serving Socket.IO on {}{} in {} mode", config.nodeId(), server.localAddress(),
                config.engine().path(), config.conformance() ? "conformance"
                        : cluster.isClustered() ? "cluster (Redis " + GatewayConfig.maskPassword(config.redisUrl().orElseThrow()) + ")"
                        : "single node, in-memory");
        return node;
    }

    private static Set<String> namespaceNames(GatewayServer server) {
        Set<String> names = new HashSet<>();
        server.getAllNamespaces().forEach(namespace -> names.add(namespace.getName().isEmpty() ? "/" : namespace.getName()));
        return names;
    }

    private static Set<String> eventNames(List<RegisteredGateway> gateways, boolean conformance) {
        Set<String> names = new HashSet<>(Set.of(Events.EXCEPTION));
        gateways.forEach(gateway -> {
            names.addAll(gateway.handledEvents());
            names.addAll(gateway.emittedEvents());
        });
        if (conformance) {
            names.addAll(ConformanceFeatures.EVENTS);
        }
        return names;
    }

    private static java.util.Map<String, Set<String>> handledEvents(List<RegisteredGateway> gateways) {
        java.util.Map<String, Set<String>> handled = new java.util.HashMap<>();
        gateways.forEach(gateway -> handled.computeIfAbsent(gateway.namespace(), key -> new HashSet<>()).addAll(gateway.handledEvents()));
        return handled;
    }

    /** How many nodes the cluster has, sampled every few seconds for the metrics (never on an event loop). */
    private static AutoCloseable sampleClusterSize(Cluster cluster, GatewayMetrics metrics) {
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "cluster-size");
            thread.setDaemon(true);
            return thread;
        });
        sampler.scheduleWithFixedDelay(() -> cluster.of("/").serverCount().thenAccept(metrics::clusterNodes),
                0, CLUSTER_SIZE_SAMPLING.toMillis(), TimeUnit.MILLISECONDS);
        return sampler::shutdownNow;
    }

    private static Cluster joinCluster(GatewayConfig config, GatewayServer server, GatewayMetrics metrics) {
        if (config.redisUrl().isEmpty()) {
            return Cluster.local(server, metrics, server.broadcastEncoder());
        }
        GatewayConfig.ClusterSettings settings = config.cluster();
        return Cluster.redis(server, RedisAdapterOptions.builder(config.redisUrl().get())
                .key(settings.key())
                .requestTimeout(settings.requestTimeout())
                .outageBuffer(settings.outageBufferSize(), settings.outageBufferAge())
                .transport(settings.transport())
                .subscriptionMode(settings.subscriptionMode())
                .build(), metrics, server.broadcastEncoder());
    }

    private static void deliverDataUpdate(GatewayServer server, Broadcaster broadcaster, String json) {
        try {
            Object data = server.jsonMapper().readTree(json);
            broadcaster.emit(BroadcastTarget.everyone("/").onThisNode(), Events.DATA_UPDATED, data);
        } catch (java.io.IOException e) {
            log.warn("ignoring a '{}' message that is not JSON", DATA_UPDATE_CHANNEL);
        }
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

    /**
     * Graceful shutdown: unready at once, no new connections, clients disconnected over the drain window (they
     * reconnect to other nodes), what must go through Redis flushed, then everything stopped.
     */
    public void drainAndStop() {
        health.draining();
        log.info("Draining: {} connections over {} ms", server.sessionCount(), config.drainWindow().toMillis());
        server.drain(config.drainWindow());
        stop();
    }

    public void stop() {
        health.draining();
        // Clients first, while the cluster link still works; the internal port last, so readiness shows the drain.
        server.stop();
        for (AutoCloseable resource : resources) {
            try {
                resource.close();
            } catch (Exception e) {
                log.warn("closing {} failed", resource, e);
            }
        }
        if (backendApi != null) {
            backendApi.close();
        }
    }

    @Override
    public void close() {
        stop();
    }
}
