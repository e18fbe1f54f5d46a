package io.realtime.cluster;

import com.corundumstudio.socketio.SocketIONamespace;
import com.corundumstudio.socketio.SocketIOServer;
import com.corundumstudio.socketio.namespace.Namespace;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
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

    private final SocketIOServer server;
    private final Function<Namespace, ClusterAdapter> adapterFactory;
    private final Map<String, ClusterAdapter> adapters = new ConcurrentHashMap<>();
    private final RedisLink link;
    private final ClusterObserver observer;

    private Cluster(SocketIOServer server, Function<Namespace, ClusterAdapter> adapterFactory, RedisLink link,
                    ClusterObserver observer) {
        this.server = server;
        this.observer = observer;
        this.adapterFactory = adapterFactory;
        this.link = link;
        attachAll();
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
    public void onRedisChannel(String channel, java.util.function.Consumer<String> handler) {
        if (link != null) {
            link.subscribe(java.util.List.of(channel),
                    (name, message) -> handler.accept(new String(message, java.nio.charset.StandardCharsets.UTF_8)));
        }
    }

    /** A single node: every verb stays on this server. */
    public static Cluster local(SocketIOServer server) {
        return local(server, ClusterObserver.NONE);
    }

    public static Cluster local(SocketIOServer server, ClusterObserver observer) {
        return local(server, observer, null);
    }

    /** @param encoder encodes each broadcast once for all recipients ({@code null}: one encoding per recipient) */
    public static Cluster local(SocketIOServer server, ClusterObserver observer, BroadcastEncoder encoder) {
        return new Cluster(server, namespace -> new LocalAdapter(namespace, observer, encoder), null, observer);
    }

    /** Joins the cluster over Redis; fails when Redis cannot be reached now. */
    public static Cluster redis(SocketIOServer server, RedisAdapterOptions options) {
        return redis(server, options, ClusterObserver.NONE);
    }

    public static Cluster redis(SocketIOServer server, RedisAdapterOptions options, ClusterObserver observer) {
        return redis(server, options, observer, null);
    }

    public static Cluster redis(SocketIOServer server, RedisAdapterOptions options, ClusterObserver observer,
                                BroadcastEncoder encoder) {
        RedisLink link = RedisLink.connect(options, observer);
        return new Cluster(server, namespace -> new RedisAdapter(namespace, link, options, observer, encoder), link, observer);
    }

    /** The operators of a namespace ({@code /}, {@code /chat}); its adapter is created on first use. */
    public ClusterNamespace of(String namespace) {
        SocketIONamespace found = server.getNamespace("/".equals(namespace) ? Namespace.DEFAULT_NAME : namespace);
        if (!(found instanceof Namespace local)) {
            throw new IllegalArgumentException("no namespace " + namespace + " on this server");
        }
        return new ClusterNamespace(adapterOf(local), BroadcastOptions.ALL, observer);
    }

    private ClusterAdapter adapterOf(Namespace namespace) {
        String name = namespace.getName().isEmpty() ? "/" : namespace.getName();
        return adapters.computeIfAbsent(name, key -> adapterFactory.apply(namespace));
    }

    public boolean isClustered() {
        return link != null;
    }

    /** The Redis link's totals; empty on a single node. */
    public Optional<ClusterStats> stats() {
        return Optional.ofNullable(link).map(RedisLink::stats);
    }

    /** Whether Redis is reachable now (always true on a single node). */
    public boolean isConnected() {
        return link == null || link.isConnected();
    }

    @Override
    public void close() {
        adapters.values().forEach(ClusterAdapter::close);
        adapters.clear();
        if (link != null) {
            link.close();
        }
    }
}
