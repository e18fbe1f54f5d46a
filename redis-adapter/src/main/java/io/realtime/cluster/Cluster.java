package io.realtime.cluster;

import com.corundumstudio.socketio.SocketIONamespace;
import com.corundumstudio.socketio.SocketIOServer;
import com.corundumstudio.socketio.namespace.Namespace;

import io.realtime.cluster.core.ClusterCoreAdapter;
import io.realtime.cluster.core.ClusterTransport;
import io.realtime.cluster.recovery.InMemorySessionRecovery;
import io.realtime.cluster.recovery.RecoveryOptions;
import io.realtime.cluster.recovery.SessionRecovery;
import io.realtime.cluster.redis.RedisTransport;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A netty-socketio server's view of its cluster: one adapter per namespace, in memory ({@link #local}) or over
 * Redis ({@link #redis}), and socket.io's operators through {@link #of(String)}.
 *
 * <pre>{@code
 * Cluster cluster = Cluster.redis(server, RedisAdapterOptions.builder("redis://redis:6379").build());
 * cluster.of("/chat").to("lobby").except(senderId).emit("message", text);
 * cluster.of("/").fetchSockets().thenAccept(sockets -> ...);
 * }</pre>
 */
public final class Cluster implements AutoCloseable {

    /** Timeouts of a single node's requests (emitWithAck); a cluster uses its transport's scheduler instead. */
    private static final class LocalTimers {
        static final ScheduledExecutorService INSTANCE = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "cluster-timers");
            thread.setDaemon(true);
            return thread;
        });
    }

    private final SocketIOServer server;
    private final Function<Namespace, ClusterAdapter> adapterFactory;
    private final Map<String, ClusterAdapter> adapters = new ConcurrentHashMap<>();
    private volatile boolean closed;
    private final ClusterTransport transport;
    private final ClusterObserver observer;
    private final ScheduledExecutorService timers;

    private Cluster(SocketIOServer server, Function<Namespace, ClusterAdapter> adapterFactory, ClusterTransport transport,
                    ClusterObserver observer) {
        this.server = server;
        this.observer = observer;
        this.adapterFactory = adapterFactory;
        this.transport = transport;
        this.timers = transport == null ? LocalTimers.INSTANCE : transport.scheduler();
        try {
            attachAll();
            if (transport != null) {
                // Started on the caller's thread, which may wait: a cluster whose namespaces cannot receive fails now.
                transport.awaitOpened();
            }
        } catch (RuntimeException e) {
            // A cluster that does not start keeps nothing open: its Redis connections and threads go with it.
            close();
            throw e;
        }
    }

    /**
     * Gives every namespace of the server its adapter now, so each receives the cluster's traffic from the start;
     * call it after adding namespaces.
     */
    public void attachAll() {
        server.getAllNamespaces().forEach(namespace -> adapterOf((Namespace) namespace));
    }

    /**
     * Runs {@code handler} for each message published on a plain Redis channel by an outside service (JSON text,
     * say); nothing happens on a single node. Each node receives every message: deliver locally.
     */
    public void onRedisChannel(String channel, Consumer<String> handler) {
        if (transport != null) {
            transport.subscribeExternal(channel, handler);
        }
    }

    /** Keys shared by every node, in the cluster's Redis; empty on a single node. */
    public Optional<SharedKeys> sharedKeys() {
        return transport == null ? Optional.empty() : transport.sharedKeys();
    }

    /** A single node: every verb stays on this server. */
    public static Cluster local(SocketIOServer server) {
        return local(server, ClusterObserver.NONE);
    }

    public static Cluster local(SocketIOServer server, ClusterObserver observer) {
        return local(server, observer, null);
    }

    /** @param encoder encodes each broadcast once for all recipients ({@code null}: one encoding per recipient) */
    public static Cluster local(SocketIOServer server, ClusterObserver observer, BroadcastEncoder<?> encoder) {
        return new Cluster(server, namespace -> new LocalAdapter(namespace, observer, encoder), null, observer);
    }

    /**
     * A single node with connection state recovery: each namespace keeps its sessions and a log of recent packets
     * in memory, as socket.io's in-memory adapter does. The sessions are restored and kept by a server that asks for
     * them at each namespace CONNECT and socket end (the gateway's {@code GatewayServer.setRecoveries}); stock
     * netty-socketio never asks, so there the log is kept for nothing.
     */
    public static Cluster local(SocketIOServer server, ClusterObserver observer, BroadcastEncoder<?> encoder,
                                RecoveryOptions recovery) {
        return new Cluster(server, namespace -> new LocalAdapter(namespace, observer, encoder,
                new InMemorySessionRecovery(recovery)), null, observer);
    }

    /** Joins the cluster over Redis; fails when Redis cannot be reached now. */
    public static Cluster redis(SocketIOServer server, RedisAdapterOptions options) {
        return redis(server, options, ClusterObserver.NONE);
    }

    public static Cluster redis(SocketIOServer server, RedisAdapterOptions options, ClusterObserver observer) {
        return redis(server, options, observer, null);
    }

    /** Joins the cluster over Redis with the transport {@code options} names ({@link TransportKind}). */
    public static Cluster redis(SocketIOServer server, RedisAdapterOptions options, ClusterObserver observer,
                                BroadcastEncoder<?> encoder) {
        requireNetty42();
        return over(server, RedisTransport.connect(options, observer), options.requestTimeout(), observer, encoder);
    }

    /**
     * lettuce 7 runs on Netty 4.2 while netty-socketio 2.0.14 brings 4.1; a build that resolves 4.1 (Maven picks the
     * dependency declared first) would fail deep inside lettuce at connect. Said here instead, with the cure.
     */
    private static void requireNetty42() {
        try {
            Class.forName("io.netty.channel.MultiThreadIoEventLoopGroup", false, Cluster.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("the Redis cluster needs Netty 4.2 (lettuce 7), but Netty "
                    + io.netty.util.Version.identify().values().stream().map(io.netty.util.Version::artifactVersion)
                    .findFirst().orElse("4.1") + " is on the class path: import io.netty:netty-bom 4.2.x in the"
                    + " application's dependency management");
        }
    }

    /**
     * Joins the cluster over Redis with connection state recovery across it ({@code recovery} non-null): only the
     * streams transport keeps the log it needs; any other fails here. As for {@link #local(SocketIOServer,
     * ClusterObserver, BroadcastEncoder, RecoveryOptions)}, sessions are restored only by a server that asks for them.
     */
    public static Cluster redis(SocketIOServer server, RedisAdapterOptions options, ClusterObserver observer,
                                BroadcastEncoder<?> encoder, RecoveryOptions recovery) {
        requireNetty42();
        if (recovery != null && options.transport() != TransportKind.STREAMS) {
            throw new IllegalArgumentException("connection state recovery in a cluster needs the streams transport, not "
                    + options.transport().wireName());
        }
        ClusterTransport transport = RedisTransport.connect(options, observer);
        return new Cluster(server, namespace -> new ClusterCoreAdapter(namespace, transport, options.requestTimeout(),
                observer, encoder, recovery), transport, observer);
    }

    /** Joins a cluster over any transport (tests use an in-memory one); the cluster closes it. */
    public static Cluster over(SocketIOServer server, ClusterTransport transport, Duration requestTimeout,
                               ClusterObserver observer, BroadcastEncoder<?> encoder) {
        return new Cluster(server, namespace -> new ClusterCoreAdapter(namespace, transport, requestTimeout, observer, encoder),
                transport, observer);
    }

    /** The operators of a namespace ({@code /}, {@code /chat}); its adapter is created on first use. */
    public ClusterNamespace of(String namespace) {
        SocketIONamespace found = server.getNamespace("/".equals(namespace) ? Namespace.DEFAULT_NAME : namespace);
        if (!(found instanceof Namespace local)) {
            throw new IllegalArgumentException("no namespace " + namespace + " on this server");
        }
        return new ClusterNamespace(adapterOf(local), BroadcastOptions.ALL, observer, timers);
    }

    /** The connection state recovery of a namespace; empty when it is off (or there is no such namespace). */
    public Optional<SessionRecovery> recovery(String namespace) {
        SocketIONamespace found = server.getNamespace("/".equals(namespace) ? Namespace.DEFAULT_NAME : namespace);
        if (found instanceof Namespace local && adapterOf(local) instanceof LocalAdapter adapter) {
            return adapter.recovery();
        }
        return Optional.empty();
    }

    private ClusterAdapter adapterOf(Namespace namespace) {
        if (closed) {
            // A new adapter would subscribe on a closed link, and what it sent would go nowhere.
            throw new ClusterUnavailableException("the cluster is closed (the node is stopping)", null);
        }
        String name = namespace.getName().isEmpty() ? "/" : namespace.getName();
        return adapters.computeIfAbsent(name, key -> adapterFactory.apply(namespace));
    }

    public boolean isClustered() {
        return transport != null;
    }

    /** The transport's totals; empty on a single node. */
    public Optional<ClusterStats> stats() {
        return Optional.ofNullable(transport).map(ClusterTransport::stats);
    }

    /** Whether Redis is reachable now (always true on a single node). */
    public boolean isConnected() {
        return transport == null || transport.isConnected();
    }

    /**
     * Why this node's part in the cluster is broken for good (the thread reading the streams transport's stream
     * died, say), or empty. Unlike a Redis outage ({@link #isConnected}) it never heals: the node must be restarted.
     * Always empty on a single node.
     */
    public Optional<String> failure() {
        return transport == null ? Optional.empty() : transport.failure();
    }

    @Override
    public void close() {
        closed = true;
        adapters.values().forEach(ClusterAdapter::close);
        adapters.clear();
        if (transport != null) {
            transport.close();
        }
    }
}
