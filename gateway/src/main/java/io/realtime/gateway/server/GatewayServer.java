package io.realtime.gateway.server;

import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.SocketIONamespace;
import com.corundumstudio.socketio.SocketIOServer;
import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.ack.AckManager;
import com.corundumstudio.socketio.namespace.Namespace;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.Future;
import io.realtime.gateway.admission.Admission;
import io.realtime.gateway.admission.AdmissionHandler;
import io.realtime.gateway.admission.OriginHandler;
import io.realtime.gateway.engineio.CorsPolicy;
import io.realtime.gateway.admission.AdmissionOptions;
import io.realtime.gateway.engineio.EngineIoHttpHandler;
import io.realtime.gateway.engineio.EngineOptions;
import io.realtime.gateway.engineio.EngineRequestDecoder;
import io.realtime.gateway.engineio.EngineSession;
import io.realtime.gateway.engineio.SessionRegistry;
import io.realtime.gateway.http.AcceptedConnections;
import io.realtime.gateway.http.LoopShutdown;
import io.realtime.gateway.limits.OutboundLimit;
import io.realtime.gateway.socketio.GatewayJsonSupport;
import io.realtime.gateway.socketio.NamespaceNames;
import io.realtime.gateway.socketio.SocketIoEncoder;
import io.realtime.gateway.socketio.SocketIoJson;
import io.realtime.gateway.socketio.SocketIoServerContext;
import io.realtime.gateway.socketio.SocketIoSessionOpener;
import io.realtime.gateway.stats.DisconnectReason;
import io.realtime.gateway.stats.TrafficObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A netty-socketio {@link SocketIOServer} that speaks Engine.IO v4 / Socket.IO v5 the way Node's socket.io does.
 *
 * <p>Namespaces, listeners, rooms, acks and broadcasts are netty-socketio's, untouched; the transports and the
 * protocol codec underneath are ours ({@code engineio} and {@code socketio} packages). The configuration's
 * {@code JsonSupport} is replaced by {@link GatewayJsonSupport}.
 */
public class GatewayServer extends SocketIOServer {

    private static final Logger log = LoggerFactory.getLogger(GatewayServer.class);

    private final Configuration configuration;
    private final GatewayServerOptions options;
    private volatile io.realtime.gateway.socketio.SocketActivity socketActivity = io.realtime.gateway.socketio.SocketActivity.NONE;
    private volatile java.util.function.Function<String, io.realtime.cluster.recovery.SessionRecovery> recoveries;
    /** The cluster's operators of a namespace, through which room operations send once recovery is on. */
    private volatile java.util.function.Function<String, io.realtime.cluster.ClusterNamespace> adapters;
    private final GatewayJsonSupport json;
    private final io.realtime.gateway.engineio.SessionFanOut fanOut;
    private final java.util.Map<String, io.netty.channel.ChannelHandler> httpHandlers = new java.util.LinkedHashMap<>();

    private EventLoopGroup bossGroup;
    private EventLoopGroup workerGroup;
    private EventLoopScheduler scheduler;
    private SessionRegistry sessions;
    private Admission admission;
    private Channel serverChannel;
    private AcceptedConnections connections;

    /**
     * A server configured from netty-socketio's configuration alone: its transports, ping timings, payload limit
     * and origin become the Engine.IO options, the rest keeps {@link GatewayServerOptions}' defaults.
     */
    public GatewayServer(Configuration configuration) {
        this(configuration, GatewayServerOptions.builder().engine(engineOptionsOf(configuration, false)).build());
    }

    /**
     * @param configuration netty-socketio's configuration: address, worker threads, socket options, ack mode,
     *                      authorization listener; its Engine.IO settings are not read (they are in {@code options})
     */
    public GatewayServer(Configuration configuration, GatewayServerOptions options) {
        super(withGatewayJson(configuration));
        this.configuration = configuration;
        this.options = java.util.Objects.requireNonNull(options, "options");
        this.json = (GatewayJsonSupport) configuration.getJsonSupport();
        this.fanOut = new io.realtime.gateway.engineio.SessionFanOut(options.broadcastFlushWindow());
    }

    private static Configuration withGatewayJson(Configuration configuration) {
        if (!(configuration.getJsonSupport() instanceof GatewayJsonSupport)) {
            if (configuration.getJsonSupport() != null) {
                log.warn("the configured JsonSupport ({}) is replaced by socket.io's"
                        + " JSON: register Jackson modules on SocketIoJson.newMapper() and set new GatewayJsonSupport(mapper)",
                        configuration.getJsonSupport().getClass().getName());
            }
            configuration.setJsonSupport(new GatewayJsonSupport(SocketIoJson.newMapper()));
        }
        return configuration;
    }

    /** The Engine.IO options that netty-socketio's configuration implies. */
    public static EngineOptions engineOptionsOf(Configuration configuration, boolean allowEIO3) {
        Set<String> transports = new HashSet<>();
        for (Transport transport : configuration.getTransports()) {
            transports.add(transport == Transport.WEBSOCKET ? EngineOptions.WEBSOCKET : EngineOptions.POLLING);
        }
        String origin = configuration.getOrigin();
        return new EngineOptions(configuration.getContext() + "/",
                Duration.ofMillis(configuration.getPingInterval()), Duration.ofMillis(configuration.getPingTimeout()),
                configuration.getMaxFramePayloadLength(), Duration.ofMillis(configuration.getUpgradeTimeout()),
                transports, allowEIO3, origin == null ? List.of() : List.of(origin.split(",")));
    }

    public GatewayServerOptions options() {
        return options;
    }

    /** The JSON mapper of the Socket.IO layer, for code that must read and write JSON the same way. */
    public com.fasterxml.jackson.databind.ObjectMapper jsonMapper() {
        return json.mapper();
    }

    /**
     * Adds a sharable HTTP handler after the Engine.IO one and before the 404 (static pages, say); call before
     * {@link #startAsync()}. It receives the aggregated requests Engine.IO did not take. A handler is registered
     * like a listener, not passed in the options: it often needs what is built on the server (the demo page sends
     * through the cluster, which needs the server first).
     */
    public void addHttpHandler(String name, io.netty.channel.ChannelHandler handler) {
        httpHandlers.put(name, handler);
    }

    /**
     * Who hears what individual sockets do (the Admin UI); registered rather than an option because the Admin UI
     * needs the cluster, which needs this server first. Call before {@link #startAsync()}. A callback that throws is
     * logged and ignored: it cannot break the open, close, join or send it observes.
     */
    public void setSocketActivity(io.realtime.gateway.socketio.SocketActivity activity) {
        this.socketActivity = GuardedSocketActivity.of(activity);
    }

    /**
     * Turns connection state recovery on: {@code recoveries} gives a namespace's (by wire name), which the cluster
     * holds, and the cluster needs this server first. Call before {@link #startAsync()}.
     */
    public void setRecoveries(java.util.function.Function<String, io.realtime.cluster.recovery.SessionRecovery> recoveries) {
        setRecoveries(recoveries, null);
    }

    /**
     * As {@link #setRecoveries(java.util.function.Function)}; netty-socketio's room and broadcast operations of a
     * namespace with recovery (the server's and the namespaces' {@code getRoomOperations}, {@code
     * getBroadcastOperations}) then send an event without an ack through {@code adapters} (the cluster's {@code of}),
     * as {@code cluster.of(nsp).to(room).emit} does: one entry of the namespace's log per broadcast, replayed to the
     * room's members that are away; on the streams transport one entry of the stream, which every node hands to its own
     * members of the room. Without {@code adapters}, each recipient logs the event as one of its own.
     */
    public void setRecoveries(java.util.function.Function<String, io.realtime.cluster.recovery.SessionRecovery> recoveries,
                              java.util.function.Function<String, io.realtime.cluster.ClusterNamespace> adapters) {
        this.recoveries = recoveries;
        this.adapters = adapters;
        fanOut.keepOffsetOrder();
    }

    /**
     * The operators a namespace's room operations send through ({@code namespace} by its socket.io name); {@code null}
     * when they are netty-socketio's own (recovery off, or not for this namespace). Asked while netty-socketio's
     * constructor makes the main namespace too, before this class's fields are assigned.
     */
    private io.realtime.cluster.ClusterNamespace loggedBroadcasts(String namespace) {
        java.util.function.Function<String, io.realtime.cluster.recovery.SessionRecovery> kept = recoveries;
        java.util.function.Function<String, io.realtime.cluster.ClusterNamespace> through = adapters;
        if (kept == null || through == null) {
            return null;
        }
        try {
            return kept.apply(namespace) == null ? null : through.apply(namespace);
        } catch (io.realtime.cluster.ClusterUnavailableException stopping) {
            // The cluster closed (the node is stopping): what is still sent goes as netty-socketio sends it.
            return null;
        }
    }

    /** Encodes each broadcast once for all its recipients (for the cluster adapters). */
    public io.realtime.gateway.socketio.SharedBroadcastEncoder broadcastEncoder() {
        return new io.realtime.gateway.socketio.SharedBroadcastEncoder(new SocketIoEncoder(json.mapper()), fanOut, observer(),
                () -> socketActivity);
    }

    /** Where the protocol layers and features report traffic (the options' observer). */
    public TrafficObserver observer() {
        return options.observer();
    }

    public EngineOptions engineOptions() {
        return options.engine();
    }

    /** Open Engine.IO sessions on this node. */
    public int sessionCount() {
        return sessions == null ? 0 : sessions.size();
    }

    /** An open Engine.IO session of this node, by id. */
    public java.util.Optional<EngineSession> session(String id) {
        return sessions == null ? java.util.Optional.empty() : java.util.Optional.ofNullable(sessions.get(id));
    }

    /** The address the server listens on, once started. */
    public InetSocketAddress localAddress() {
        return serverChannel == null ? null : (InetSocketAddress) serverChannel.localAddress();
    }

    @Override
    public Future<Void> startAsync() {
        Class<? extends ServerChannel> channelType = useEpoll(configuration) ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        bossGroup = new MultiThreadIoEventLoopGroup(1, ioHandlerFactory(configuration));
        workerGroup = options.eventLoops().orElseGet(() -> newEventLoops(configuration));
        scheduler = new EventLoopScheduler(workerGroup);
        EngineOptions engineOptions = options.engine();
        io.netty.handler.ssl.SslContext tls = options.tls().orElse(null);
        sessions = new SessionRegistry(engineOptions, observer());
        admission = new Admission(options.admission());
        sessions.addListener(admission);
        connections = new AcceptedConnections("socket.io connections");

        SocketIoServerContext context = new SocketIoServerContext(configuration, json, new SocketIoEncoder(json.mapper()),
                new ObservedAckManager(scheduler, observer()), scheduler, this::getNamespaceOrNull, options.connectTimeout(),
                options.maxAttachments(), engineOptions.maxPayload(), options.maxConnectPayload(), observer(), options.eventLimits(), socketActivity, recoveries);
        EngineIoHttpHandler engineIo = new EngineIoHttpHandler(engineOptions, sessions,
                configuration.getAuthorizationListener(), new SocketIoSessionOpener(context), tls != null,
                new HttpOnlyHandlers(httpHandlers.keySet()));

        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(channelType)
                .childHandler(new GatewayChannelInitializer(connections, new EngineRequestDecoder(engineOptions),
                        new OriginHandler(new CorsPolicy(engineOptions.corsOrigins()), observer()),
                        new AdmissionHandler(admission, observer()), engineIo, sessions, engineOptions.maxPayload(),
                        OutboundLimit.of(engineOptions.outboundLimit()).waterMark(), httpHandlers, tls, options.httpLimits(),
                        options.clientAddresses(), observer()::httpClosed, observer()))
                .option(ChannelOption.SO_BACKLOG, configuration.getSocketConfig().getAcceptBackLog())
                .option(ChannelOption.SO_REUSEADDR, configuration.getSocketConfig().isReuseAddress())
                .childOption(ChannelOption.TCP_NODELAY, configuration.getSocketConfig().isTcpNoDelay())
                .childOption(ChannelOption.SO_KEEPALIVE, configuration.getSocketConfig().isTcpKeepAlive());

        InetSocketAddress address = configuration.getHostname() == null
                ? new InetSocketAddress(configuration.getPort())
                : new InetSocketAddress(configuration.getHostname(), configuration.getPort());
        io.netty.channel.ChannelFuture binding = bootstrap.bind(address);
        serverChannel = binding.channel();
        return binding.addListener(bound -> {
            if (bound.isSuccess()) {
                log.info("Socket.IO server listening on {} ({}, {}, transports {})", serverChannel.localAddress(),
                        tls != null ? "TLS" : "plain", useEpoll(configuration) ? "epoll" : "nio", engineOptions.transports());
            } else {
                log.error("Socket.IO server failed to bind {}", address, bound.cause());
            }
        });
    }

    /**
     * Drains the node: refuses new sessions at once, then closes the open ones spread evenly over {@code window}
     * (in random order), so their clients reconnect to other nodes without a thundering herd; each client sees its
     * transport closed by the server and reconnects by itself. Blocks the calling thread (never an event loop) for
     * about {@code window}.
     */
    public void drain(Duration window) {
        if (sessions == null) {
            return;
        }
        admission.stopAccepting();
        List<EngineSession> open = new java.util.ArrayList<>(sessions.all());
        java.util.Collections.shuffle(open);
        long start = System.nanoTime();
        for (int i = 0; i < open.size(); i++) {
            long due = start + window.toNanos() * i / open.size();
            long wait = due - System.nanoTime();
            if (wait > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(wait);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            open.get(i).close(DisconnectReason.SERVER_SHUTTING_DOWN);
        }
        awaitNoSessions(TimeUnit.SECONDS.toNanos(2));
        log.info("drained {} sessions in {} ms", open.size(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    /**
     * Closes every session the way socket.io's {@code server.close()} does (its sockets end for "server shutting
     * down"; a WebSocket gets a close frame, a long-polling client its close packet if it polls within half a second,
     * else the session ends without it; clients see "transport close" and reconnect), waits until the sessions'
     * close handling has run on their loops, stops listening, closes every connection it accepted (an idle keep-alive
     * one, one without a session, a request half received), then shuts its event loops down (those it made: lent ones
     * stay with their owner). Takes about a second at most; a loop stuck in a task is waited for 2 s, then left
     * behind with a warning.
     */
    @Override
    public void stop() {
        if (workerGroup == null) {
            return;
        }
        // Nobody new while the others are closed: a client reconnecting within the second would be taken again.
        if (admission != null) {
            admission.stopAccepting();
        }
        for (EngineSession session : sessions.all()) {
            session.close(DisconnectReason.SERVER_SHUTTING_DOWN);
        }
        // The port stays open meanwhile: a polling client between two polls must still reach us to get its close packet.
        awaitNoSessions(TimeUnit.MILLISECONDS.toNanos(500));
        // Those still waiting for a poll (or gone without a word) end now, while the cluster link and the loops work:
        // their sockets' disconnect listeners run and recoverable sessions are kept.
        for (EngineSession session : sessions.all()) {
            session.closeAtOnce(DisconnectReason.SERVER_SHUTTING_DOWN);
        }
        awaitNoSessions(TimeUnit.MILLISECONDS.toNanos(500));
        // A session leaves the registry before its close handling runs: once each loop has run a task queued after
        // it, every socket's disconnect listeners have (and what they wrote to Redis is queued before the link closes).
        awaitLoopsIdle(TimeUnit.MILLISECONDS.toNanos(500));
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
        // Not left to the loops' shutdown, which may not close them (see AcceptedConnections).
        connections.close();
        scheduler.shutdown();
        // Each wait bounded (LoopShutdown): a worker loop stuck in a handler must not hold the stop for good.
        Future<?> boss = LoopShutdown.begin(bossGroup);
        if (options.eventLoops().isEmpty()) {
            LoopShutdown.shutDown(workerGroup, "Socket.IO worker event loops");
        }
        LoopShutdown.await(bossGroup, boss, "Socket.IO accepting event loop");
        workerGroup = null;
        log.info("Socket.IO server stopped");
    }

    private void awaitLoopsIdle(long timeoutNanos) {
        long deadline = System.nanoTime() + timeoutNanos;
        for (io.netty.util.concurrent.EventExecutor loop : workerGroup) {
            if (!loop.inEventLoop()) {
                loop.submit(() -> { }).awaitUninterruptibly(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        }
    }

    private void awaitNoSessions(long timeoutNanos) {
        long deadline = System.nanoTime() + timeoutNanos;
        while (sessions.size() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private Namespace getNamespaceOrNull(String name) {
        return (Namespace) getNamespace(name);
    }

    /** The namespace by its socket.io name ({@code /} is the main one) or by netty-socketio's ({@code ""}). */
    @Override
    public SocketIONamespace getNamespace(String name) {
        return super.getNamespace(NamespaceNames.nettySocketIo(name));
    }

    /**
     * Every namespace, the main one too: netty-socketio's constructor creates that one through this method. Each is a
     * {@link GatewayNamespace}, whose room operations log once per broadcast with recovery on.
     */
    @Override
    public SocketIONamespace addNamespace(String name) {
        SocketIONamespace namespace = GatewayNamespace.register(this, NamespaceNames.nettySocketIo(name), this::loggedBroadcasts);
        if (namespace == null) {
            namespace = super.addNamespace(NamespaceNames.nettySocketIo(name));
        }
        CompactClientRooms.install((Namespace) namespace);
        return namespace;
    }

    @Override
    public void removeNamespace(String name) {
        super.removeNamespace(NamespaceNames.nettySocketIo(name));
    }

    /**
     * The event loops: as configured, or one per core (Netty's own default is two per core). No handler blocks a loop,
     * so more loops than cores only add wake-ups and context switches: measured with `compat/bench/bench.js` on two
     * cores, one loop per core gave 1.1x to 1.7x the parallel acks, 5 to 10 % less CPU per delivery from 80k
     * deliveries/s and a lower p99 at 120k and 160k. Cores as the JVM sees them, so a container's CPU limit counts.
     */
    static int eventLoops(int configured) {
        return configured > 0 ? configured : io.netty.util.NettyRuntime.availableProcessors();
    }

    /**
     * The worker event loops this configuration asks for (its worker threads, else one per core; epoll where asked
     * for and available, else NIO), for an application that lends them to the server and to its Redis link
     * ({@link GatewayServerOptions.Builder#eventLoops}).
     */
    public static EventLoopGroup newEventLoops(Configuration configuration) {
        return new MultiThreadIoEventLoopGroup(eventLoops(configuration.getWorkerThreads()), ioHandlerFactory(configuration));
    }

    private static IoHandlerFactory ioHandlerFactory(Configuration configuration) {
        return useEpoll(configuration) ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    private static boolean useEpoll(Configuration configuration) {
        return configuration.isUseLinuxNativeEpoll() && Epoll.isAvailable();
    }
}
