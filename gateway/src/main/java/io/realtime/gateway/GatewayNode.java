package io.realtime.gateway;

import com.corundumstudio.socketio.AckMode;
import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.SocketConfig;
import com.corundumstudio.socketio.SocketIOServer;
import io.netty.channel.EventLoopGroup;
import io.realtime.cluster.Cluster;
import io.realtime.cluster.ClusterObserver;
import io.realtime.cluster.RedisAdapterOptions;
import io.realtime.cluster.RedisUris;
import io.realtime.gateway.admin.AdminUi;
import io.realtime.gateway.api.GatewayRegistrar;
import io.realtime.gateway.api.RegisteredGateway;
import io.realtime.gateway.api.Validators;
import io.realtime.gateway.auth.Authenticators;
import io.realtime.gateway.backend.BackendApiServer;
import io.realtime.gateway.broadcast.Broadcaster;
import io.realtime.gateway.broadcast.ClusterBroadcaster;
import io.realtime.gateway.broadcast.ServerPush;
import io.realtime.gateway.config.ClusterSettings;
import io.realtime.gateway.config.GatewayConfig;
import io.realtime.gateway.conformance.ConformanceFeatures;
import io.realtime.gateway.features.ChatGateway;
import io.realtime.gateway.features.DashboardFigures;
import io.realtime.gateway.features.DashboardGateway;
import io.realtime.gateway.features.DataUpdateChannel;
import io.realtime.gateway.features.MainGateway;
import io.realtime.gateway.health.EventLoopWatchdog;
import io.realtime.gateway.health.NodeHealth;
import io.realtime.gateway.http.LoopShutdown;
import io.realtime.gateway.metrics.ClusterLinkMetrics;
import io.realtime.gateway.metrics.ClusterMetrics;
import io.realtime.gateway.metrics.EventLoopMetrics;
import io.realtime.gateway.metrics.GatewayMetrics;
import io.realtime.gateway.metrics.KnownNames;
import io.realtime.gateway.metrics.RuntimeMetrics;
import io.realtime.gateway.metrics.ServerMetrics;
import io.realtime.gateway.metrics.TrafficMetrics;
import io.realtime.gateway.server.GatewayServer;
import io.realtime.gateway.server.GatewayServerOptions;
import io.realtime.gateway.server.TlsContexts;
import io.realtime.gateway.socketio.NamespaceNames;
import io.realtime.gateway.stats.TrafficObserver;
import io.realtime.gateway.web.DemoPage;
import jakarta.validation.Validator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
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
    private final java.util.concurrent.atomic.AtomicBoolean stopping = new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.concurrent.CompletableFuture<Void> stopped = new java.util.concurrent.CompletableFuture<>();

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

    /**
     * Starts a node with extra features installed on its server before it accepts connections. A start that fails
     * part-way (a port in use, Redis unreachable, a key file unreadable) closes what it had made, threads included,
     * before the exception leaves.
     */
    public static GatewayNode start(GatewayConfig config, Consumer<SocketIOServer> features) {
        ScheduledExecutorService scheduler = periodicWork();
        List<AutoCloseable> resources = new ArrayList<>();
        resources.add(scheduler::shutdownNow);
        TrafficMetrics traffic = new TrafficMetrics();
        ClusterMetrics clusterMetrics = new ClusterMetrics();
        Configuration configuration = socketIoConfiguration(config);
        // One set of event loops for the connections and the Redis link: a broadcast read from Redis is written to
        // the sockets of the loop that read it, and handed to the other loops, without a thread of lettuce's between.
        EventLoopGroup eventLoops = GatewayServer.newEventLoops(configuration);
        // Bounded: a loop stuck in a handler is left behind with a warning, not waited for until the kubelet's SIGKILL.
        AutoCloseable stopLoops = () -> LoopShutdown.shutDown(eventLoops, "Socket.IO worker event loops");
        GatewayMetrics metrics = new GatewayMetrics();
        GatewayServer server = null;
        BackendApiServer backendApi = null;
        try {
            // Inside: the TLS key files are read here.
            server = new GatewayServer(configuration, serverOptions(config, traffic, eventLoops));
            Cluster cluster = joinCluster(config, server, clusterMetrics, eventLoops);
            resources.add(cluster);
            Broadcaster broadcaster = new ClusterBroadcaster(cluster);
            ServerPush push = new ServerPush(broadcaster);
            Validator validator = Validators.create();
            List<RegisteredGateway> gateways = List.of();
            if (config.conformance()) {
                ConformanceFeatures.install(server);
            } else {
                GatewayRegistrar registrar = new GatewayRegistrar(server, validator,
                        Authenticators.of(config.auth(), scheduler), server.observer());
                Clock clock = Clock.systemUTC();
                registrar.register(new MainGateway(broadcaster, clock));
                registrar.register(new ChatGateway(broadcaster, clock));
                DashboardGateway dashboard = new DashboardGateway(broadcaster,
                        new DashboardFigures(server, traffic, config.nodeId(), clock), cluster.of(NamespaceNames.MAIN));
                registrar.register(dashboard.start(config.dashboardInterval(), scheduler));
                gateways = registrar.registered();
                server.addHttpHandler(DemoPage.NAME, new DemoPage(push, server.jsonMapper(), config.apiKey().isEmpty()));
                DataUpdateChannel.listen(cluster, push, server.jsonMapper());
            }
            features.accept(server);
            if (config.adminUi().enabled() && !config.conformance()) {
                // Closed before the cluster: its queued work asks the cluster.
                resources.add(resources.indexOf(cluster), AdminUi.install(config.adminUi(), server, cluster,
                        config.cluster().key(), config.nodeId(), traffic, scheduler));
            }
            cluster.attachAll();
            KnownNames names = KnownNames.of(server.getAllNamespaces(), gateways,
                    config.conformance() ? ConformanceFeatures.EVENTS : Set.of());
            traffic.declare(names);
            clusterMetrics.declare(names);
            // Probed from the node's periodic thread, read by the internal port's own loop: neither is one of these.
            EventLoopWatchdog loopWatchdog = EventLoopWatchdog.of(eventLoops, System::nanoTime).start(scheduler);
            resources.add(0, loopWatchdog);
            metrics.bind(new RuntimeMetrics(), traffic, clusterMetrics,
                    new ServerMetrics(server, config.maxConnections(), server::sessionCount), new ClusterLinkMetrics(cluster, scheduler),
                    new EventLoopMetrics(loopWatchdog::lag));
            NodeHealth health = new NodeHealth(server, cluster, loopWatchdog);
            io.netty.util.concurrent.Future<Void> listening = server.startAsync().awaitUninterruptibly();
            if (!listening.isSuccess()) {
                throw new IllegalStateException("Socket.IO cannot listen on " + config.host() + ":" + config.port() + ": "
                        + listening.cause().getMessage(), listening.cause());
            }
            if (!config.conformance()) {
                backendApi = BackendApiServer.start(config.managementHost(), config.managementPort(), config.engine().maxPayload(),
                        server, push, server.jsonMapper(), validator, config.apiKey().orElse(null), health, metrics,
                        config.preStopDelay(), config.httpLimits());
            }
            health.serving();
            // Last: the server and the cluster link close their channels on these loops first.
            resources.add(stopLoops);
            GatewayNode node = new GatewayNode(config, server, gateways, resources, backendApi, cluster, health, metrics);
            log.info("Gateway node '{}' serving Socket.IO on {}{} in {} mode", config.nodeId(), server.localAddress(),
                    config.engine().path(), config.conformance() ? "conformance"
                            : cluster.isClustered() ? "cluster (Redis " + RedisUris.masked(config.redisUrl().orElseThrow()) + ")"
                            : "single node, in-memory");
            return node;
        } catch (RuntimeException | Error e) {
            resources.add(stopLoops);
            closeAll(stopSteps(server, resources, backendApi, metrics));
            throw e;
        }
    }

    private static GatewayServerOptions serverOptions(GatewayConfig config, TrafficObserver observer, EventLoopGroup eventLoops) {
        return GatewayServerOptions.builder()
                .eventLoops(eventLoops)
                .engine(config.engine())
                .connectTimeout(config.connectTimeout())
                .maxAttachments(config.maxAttachments())
                .maxConnectPayload(config.maxConnectPayload())
                .broadcastFlushWindow(config.broadcastFlushWindow())
                .eventLimits(config.eventLimits())
                .admission(config.admission())
                .httpLimits(config.httpLimits())
                .clientAddresses(config.clientAddresses())
                .tls(config.tls().enabled() ? TlsContexts.of(config.tls()) : null)
                .observer(observer)
                .build();
    }

    /**
     * One thread for the node's periodic work (dashboard figures, cluster-size sampling, JWKS refresh): each task
     * is short or bounded by a timeout, none runs on an event loop.
     */
    private static ScheduledExecutorService periodicWork() {
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "node-periodic");
            thread.setDaemon(true);
            return thread;
        });
        scheduler.setRemoveOnCancelPolicy(true);
        return scheduler;
    }

    private static Cluster joinCluster(GatewayConfig config, GatewayServer server, ClusterObserver observer,
                                       EventLoopGroup eventLoops) {
        if (config.redisUrl().isEmpty()) {
            if (config.recovery().isPresent()) {
                Cluster cluster = Cluster.local(server, observer, server.broadcastEncoder(), config.recovery().get());
                server.setRecoveries(applicationRecoveries(config, cluster), cluster::of);
                return cluster;
            }
            return Cluster.local(server, observer, server.broadcastEncoder());
        }
        ClusterSettings settings = config.cluster();
        RedisAdapterOptions options = RedisAdapterOptions.builder(config.redisUrl().get())
                .key(settings.key())
                .requestTimeout(settings.requestTimeout())
                .outageBuffer(settings.outageBufferSize(), settings.outageBufferAge())
                .commandQueueSize(settings.commandQueueSize())
                .transport(settings.transport())
                .subscriptionMode(settings.subscriptionMode())
                .streams(settings.streamOptions())
                .eventLoops(eventLoops)
                .sentinelPassword(settings.sentinelPassword().orElse(null))
                // CLIENT LIST tells the nodes' connections apart.
                .clientName("socketio-gateway:" + config.nodeId().replaceAll("[^!-~]", "_"))
                .build();
        Cluster cluster = Cluster.redis(server, options, observer, server.broadcastEncoder(), config.recovery().orElse(null));
        if (config.recovery().isPresent()) {
            server.setRecoveries(applicationRecoveries(config, cluster), cluster::of);
        }
        return cluster;
    }

    /**
     * The recovery of the application's namespaces only. The Admin UI's sockets are dashboards that log in again and
     * ask for everything anew: a recoverable one would only have its session written to Redis at every connect and
     * change, and admin events kept and replayed for nobody.
     */
    private static java.util.function.Function<String, io.realtime.cluster.recovery.SessionRecovery> applicationRecoveries(
            GatewayConfig config, Cluster cluster) {
        String admin = config.adminUi().enabled() ? config.adminUi().namespace() : null;
        return namespace -> namespace.equals(admin) ? null : cluster.recovery(namespace).orElse(null);
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
     * reconnect to other nodes), what must go through Redis flushed, then everything stopped. Returns once the node
     * has stopped, except on one of the node's event loops (an application's listener): the drain closes sessions
     * on that loop and the stop waits for it to end, so there the drain and stop run on a thread of their own
     * ({@code gateway-stop}) and the call returns at once ({@link #stopped()} tells when they end).
     */
    public void drainAndStop() {
        if (!stopping.compareAndSet(false, true)) {
            // Stopping or stopped already (closed by its application, then a SIGTERM): its loops may be gone.
            awaitStopUnlessOnItsEventLoop();
            return;
        }
        runStop(this::drainThenStop);
    }

    private void drainThenStop() {
        health.draining();
        log.info("Draining: {} connections over {} ms", server.sessionCount(), config.drainWindow().toMillis());
        try {
            server.drain(config.drainWindow());
        } finally {
            stopOnce();
        }
    }

    /**
     * Stops the node, once: a second call (a shutdown hook after an explicit stop) waits for the first to end, so that
     * the JVM does not exit halfway through it. Called on one of the node's event loops (a listener stopping the
     * node), it returns at once instead, the stop running on a thread of its own ({@code gateway-stop}) if none was
     * under way: the stop closes the sessions on that loop and waits for every loop to end, that one included.
     */
    public void stop() {
        if (!stopping.compareAndSet(false, true)) {
            awaitStopUnlessOnItsEventLoop();
            return;
        }
        runStop(this::stopOnce);
    }

    /** Completes once the node has stopped (whoever started the stop, on whatever thread). */
    public java.util.concurrent.CompletableFuture<Void> stopped() {
        return stopped.copy();
    }

    /** Called by whoever set {@code stopping}: on this thread, or on a new one when this is one of the node's loops. */
    private void runStop(Runnable stop) {
        if (!onItsEventLoop()) {
            stop.run();
            return;
        }
        Thread stopper = new Thread(() -> {
            try {
                stop.run();
            } catch (RuntimeException | Error e) {
                log.warn("stopping the node failed", e);
            }
        }, "gateway-stop");
        stopper.start();
    }

    private void awaitStopUnlessOnItsEventLoop() {
        // Not on one of its event loops: waiting there, the loop would never end, and the stop under way with it.
        if (!onItsEventLoop()) {
            stopped.join();
        }
    }

    private boolean onItsEventLoop() {
        for (io.netty.util.concurrent.EventExecutor loop : server.options().eventLoops().orElseThrow()) {
            if (loop.inEventLoop()) {
                return true;
            }
        }
        return false;
    }

    /** Called by whoever set {@code stopping}. */
    private void stopOnce() {
        try {
            health.draining();
            closeAll(stopSteps(server, resources, backendApi, metrics));
        } finally {
            stopped.complete(null);
        }
    }

    /**
     * Clients first, while the cluster link still works; the internal port last, so readiness shows the drain. Each
     * step runs whatever the ones before it threw: a server that fails to stop must not leave the Redis link, the
     * event loops and the internal port running.
     */
    private static List<AutoCloseable> stopSteps(GatewayServer server, List<AutoCloseable> resources,
                                                 BackendApiServer backendApi, GatewayMetrics metrics) {
        List<AutoCloseable> steps = new ArrayList<>();
        if (server != null) {
            steps.add(server::stop);
        }
        steps.addAll(resources);
        if (backendApi != null) {
            steps.add(backendApi::close);
        }
        steps.add(metrics::close);
        return steps;
    }

    private static void closeAll(List<AutoCloseable> resources) {
        for (AutoCloseable resource : resources) {
            try {
                resource.close();
            } catch (Exception | Error e) {
                // The next steps run all the same: a stop that threw must not leave the rest running.
                log.warn("closing {} failed", resource, e);
            }
        }
    }

    @Override
    public void close() {
        stop();
    }
}
