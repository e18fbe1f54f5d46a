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
import io.realtime.gateway.engineio.EngineIoHttpHandler;
import io.realtime.gateway.engineio.EngineOptions;
import io.realtime.gateway.engineio.EngineSession;
import io.realtime.gateway.engineio.SessionRegistry;
import io.realtime.gateway.socketio.GatewayJsonSupport;
import io.realtime.gateway.socketio.SocketIoEncoder;
import io.realtime.gateway.socketio.SocketIoJson;
import io.realtime.gateway.socketio.SocketIoServerContext;
import io.realtime.gateway.socketio.SocketIoSessionOpener;
import io.realtime.gateway.stats.TrafficObserver;
import io.realtime.gateway.stats.TrafficStats;
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
    private final EngineOptions engineOptions;
    private final Duration connectTimeout;
    private final int maxAttachments;
    private final int maxConnections;
    private io.realtime.gateway.limits.EventLimits eventLimits = io.realtime.gateway.limits.EventLimits.UNLIMITED;
    private int maxPerAddress;
    private int handshakesPerAddress;
    private io.netty.handler.ssl.SslContext tls;
    private final GatewayJsonSupport json;
    private final TrafficStats stats = new TrafficStats();
    private final List<TrafficObserver> observers = new java.util.concurrent.CopyOnWriteArrayList<>(List.of(stats));
    private final TrafficObserver observer = TrafficObserver.all(observers);
    private final io.realtime.gateway.engineio.SessionFanOut fanOut = new io.realtime.gateway.engineio.SessionFanOut();
    private final java.util.Map<String, io.netty.channel.ChannelHandler> httpHandlers = new java.util.LinkedHashMap<>();

    private EventLoopGroup bossGroup;
    private EventLoopGroup workerGroup;
    private EventLoopScheduler scheduler;
    private SessionRegistry sessions;
    private Channel serverChannel;

    /** A server configured from netty-socketio's configuration alone (socket.io's defaults for the rest). */
    public GatewayServer(Configuration configuration) {
        this(configuration, engineOptionsOf(configuration, false), Duration.ofSeconds(45), 10, 0);
    }

    /**
     * @param maxConnections Engine.IO sessions this node accepts at once ({@code 0}: no limit); past it a
     *                       handshake is answered 503 {@code server_full}
     */
    public GatewayServer(Configuration configuration, EngineOptions engineOptions, Duration connectTimeout, int maxAttachments,
                         int maxConnections) {
        super(withGatewayJson(configuration));
        this.configuration = configuration;
        this.engineOptions = engineOptions;
        this.connectTimeout = connectTimeout;
        this.maxAttachments = maxAttachments;
        this.maxConnections = maxConnections;
        this.json = (GatewayJsonSupport) configuration.getJsonSupport();
    }

    private static Configuration withGatewayJson(Configuration configuration) {
        if (!(configuration.getJsonSupport() instanceof GatewayJsonSupport)) {
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

    /** The JSON mapper of the Socket.IO layer, for code that must read and write JSON the same way. */
    public com.fasterxml.jackson.databind.ObjectMapper jsonMapper() {
        return json.mapper();
    }

    /** Adds an observer of the traffic (metrics); call before {@link #startAsync()}. */
    public void addObserver(TrafficObserver observer) {
        observers.add(observer);
    }

    /**
     * Adds a sharable HTTP handler after the Engine.IO one and before the 404 (static pages, say); call before
     * {@link #startAsync()}. It receives the aggregated requests Engine.IO did not take.
     */
    public void addHttpHandler(String name, io.netty.channel.ChannelHandler handler) {
        httpHandlers.put(name, handler);
    }

    /** Per-connection inbound event limits; call before {@link #startAsync()}. */
    public void setEventLimits(io.realtime.gateway.limits.EventLimits limits) {
        this.eventLimits = limits;
    }

    /** Serves the Socket.IO port over TLS; call before start. */
    public void setTls(io.netty.handler.ssl.SslContext context) {
        this.tls = context;
    }

    /** Per client address: open sessions and handshakes per second ({@code 0}: no limit); call before start. */
    public void setAddressLimits(int maxConnectionsPerAddress, int handshakesPerSecondPerAddress) {
        this.maxPerAddress = maxConnectionsPerAddress;
        this.handshakesPerAddress = handshakesPerSecondPerAddress;
    }

    /** Encodes each broadcast once for all its recipients (for the cluster adapters). */
    public io.realtime.gateway.socketio.SharedBroadcastEncoder broadcastEncoder() {
        return new io.realtime.gateway.socketio.SharedBroadcastEncoder(new SocketIoEncoder(json.mapper()), fanOut, observer);
    }

    /** Every observer as one: what the protocol layers and features report to. */
    public TrafficObserver observer() {
        return observer;
    }

    public int maxConnections() {
        return maxConnections;
    }

    /** This node's traffic totals per namespace. */
    public TrafficStats stats() {
        return stats;
    }

    public EngineOptions engineOptions() {
        return engineOptions;
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
        IoHandlerFactory ioHandler = useEpoll() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerChannel> channelType = useEpoll() ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        bossGroup = new MultiThreadIoEventLoopGroup(1, ioHandler);
        workerGroup = new MultiThreadIoEventLoopGroup(configuration.getWorkerThreads(), ioHandler);
        scheduler = new EventLoopScheduler(workerGroup);
        sessions = new SessionRegistry(engineOptions, observer);

        SocketIoServerContext context = new SocketIoServerContext(configuration, json, new SocketIoEncoder(json.mapper()),
                new ObservedAckManager(scheduler, observer), scheduler, this::namespaceOnWire, connectTimeout, maxAttachments,
                observer, eventLimits);
        EngineIoHttpHandler engineIo = new EngineIoHttpHandler(engineOptions, sessions,
                configuration.getAuthorizationListener(), new SocketIoSessionOpener(context), tls != null, maxConnections,
                maxPerAddress, handshakesPerAddress);

        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(channelType)
                .childHandler(new GatewayChannelInitializer(engineIo, sessions, engineOptions.maxPayload(), httpHandlers, tls))
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
                        tls != null ? "TLS" : "plain", useEpoll() ? "epoll" : "nio", engineOptions.transports());
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
        sessions.stopAccepting();
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
            open.get(i).close();
        }
        awaitNoSessions(TimeUnit.SECONDS.toNanos(2));
        log.info("drained {} sessions in {} ms", open.size(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    /**
     * Closes every session the way socket.io's {@code server.close()} does (a WebSocket gets a close frame, a
     * long-polling client its close packet on its next poll; clients see "transport close" and reconnect), stops
     * listening, then releases the event loops. Takes about half a second at most.
     */
    @Override
    public void stop() {
        if (workerGroup == null) {
            return;
        }
        for (EngineSession session : sessions.all()) {
            session.close();
        }
        // The port stays open meanwhile: a polling client between two polls must still reach us to get its close packet.
        awaitNoSessions(TimeUnit.MILLISECONDS.toNanos(500));
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
        scheduler.shutdown();
        Future<?> workers = workerGroup.shutdownGracefully(0, 500, TimeUnit.MILLISECONDS);
        Future<?> boss = bossGroup.shutdownGracefully(0, 500, TimeUnit.MILLISECONDS);
        workers.syncUninterruptibly();
        boss.syncUninterruptibly();
        workerGroup = null;
        log.info("Socket.IO server stopped");
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

    private Namespace namespaceOnWire(String name) {
        SocketIONamespace namespace = getNamespace("/".equals(name) ? Namespace.DEFAULT_NAME : name);
        return (Namespace) namespace;
    }

    private boolean useEpoll() {
        return configuration.isUseLinuxNativeEpoll() && Epoll.isAvailable();
    }
}
