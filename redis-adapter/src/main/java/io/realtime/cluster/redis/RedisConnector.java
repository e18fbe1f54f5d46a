package io.realtime.cluster.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.pubsub.StatefulRedisClusterPubSubConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.resource.EpollProvider;
import io.lettuce.core.resource.EventLoopGroupProvider;
import io.lettuce.core.resource.ExtendedKeepAliveSupport;
import io.lettuce.core.resource.IOUringProvider;
import io.lettuce.core.resource.Transports;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.realtime.cluster.ClusterUnavailableException;
import io.realtime.cluster.RedisAdapterOptions;
import io.realtime.cluster.RedisUris;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Opens the two connections of a {@link RedisLink} to one Redis (standalone or Sentinel-managed, lettuce's
 * {@code redis://}, {@code rediss://}, {@code redis-sentinel://} URIs) or to a Redis Cluster from a seed list
 * {@code redis-cluster://[user:password@]host1:port1,host2:port2} ({@code rediss-cluster://} with TLS).
 */
final class RedisConnector {

    private static final Logger log = LoggerFactory.getLogger(RedisConnector.class);

    /** The least time written data may stay unacknowledged before the kernel drops a connection (TCP_USER_TIMEOUT). */
    static final Duration MIN_USER_TIMEOUT = Duration.ofSeconds(10);
    /**
     * TCP keepalive of an idle connection (the subscriber's, between messages): the first probe after 5 s without
     * traffic, then one every 5 s, the connection dropped after 3 unanswered (20 s; with TCP_USER_TIMEOUT, at the
     * first probe past it). lettuce's default (13 s, 13 s, 3) took 52 s; a probe is 66 bytes every 5 s.
     */
    static final SocketOptions.KeepAliveOptions KEEPALIVE = SocketOptions.KeepAliveOptions.builder()
            .enable().idle(Duration.ofSeconds(5)).interval(Duration.ofSeconds(5)).count(3).build();
    private static final AtomicBoolean NO_USER_TIMEOUT_LOGGED = new AtomicBoolean();

    /** How often the cluster topology is read even when nothing suggests it changed. */
    static final Duration PERIODIC_TOPOLOGY_REFRESH = Duration.ofSeconds(10);

    record Connections(AbstractRedisClient client, io.lettuce.core.api.StatefulConnection<byte[], byte[]> pub,
                       io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands<byte[], byte[]> commands,
                       StatefulRedisPubSubConnection<byte[], byte[]> sub, boolean cluster) {
    }

    private RedisConnector() {
    }

    /** What lettuce reports when a connection closed before its handshake (HELLO, AUTH) had an answer. */
    static final String PREMATURE_CLOSE = "Connection closed prematurely";

    /**
     * Opens the connections, trying once more when the first attempt ended in a premature close. Lettuce closes a
     * connection whose handshake was refused (NOAUTH, WRONGPASS) and, depending on which it notices first, reports
     * the close instead of the refusal; a Redis that is restarting closes new connections too. The second attempt
     * names the reason in both cases, instead of leaving the operator with "closed prematurely".
     */
    static Connections connect(RedisAdapterOptions options) {
        return connect(options, RedisConnector::open);
    }

    static Connections connect(RedisAdapterOptions options, java.util.function.Function<RedisAdapterOptions, Connections> open) {
        try {
            return open.apply(options);
        } catch (ClusterUnavailableException e) {
            if (!String.valueOf(e.getMessage()).contains(PREMATURE_CLOSE)) {
                throw e;
            }
            return open.apply(options);
        }
    }

    /**
     * How long data written to Redis may stay unacknowledged by its host before the kernel drops the connection
     * (TCP_USER_TIMEOUT): the request timeout, and at least {@link #MIN_USER_TIMEOUT}.
     *
     * <p>A Redis host that goes silent (crashed, cut off: no FIN, no RST) is otherwise noticed on the publishing
     * connection only after the kernel's retransmissions give up (tcp_retries2, about 15 minutes): that connection
     * always has commands in flight, so keepalive never probes it. Until then it counts as connected, every broadcast
     * times out and is lost (counted unconfirmed, never resent), nothing is held, and a Sentinel's new primary is not
     * reconnected to. Dropped, the connection is reconnected (to the promoted primary) and broadcasts are held and
     * resent meanwhile. Not below 10 s: the kernel's retransmissions (0.2, 0.4, 0.8, 1.6, 3.2 s...) get five tries
     * through a lossy moment before the connection is given up. Not below the request timeout: a command still waited
     * for is not failed by a dropped connection sooner than its timeout would have. An acknowledged command Redis is
     * slow to answer is no concern (the kernel acknowledges, however busy Redis is), nor is a blocking read waiting
     * for entries (acknowledged as soon as sent).
     */
    static Duration userTimeout(RedisAdapterOptions options) {
        Duration requestTimeout = options.requestTimeout();
        return requestTimeout.compareTo(MIN_USER_TIMEOUT) > 0 ? requestTimeout : MIN_USER_TIMEOUT;
    }

    /**
     * Every connection's socket: tighter keepalive where the transport can set its timing (epoll, io_uring, NIO on
     * Linux and macOS), and TCP_USER_TIMEOUT where it can set that (epoll, io_uring): lettuce refuses to connect when
     * asked for either on a transport that cannot. On NIO (no native transport on the class path: another OS or
     * architecture) a silent host is noticed by keepalive only, on an idle connection only.
     */
    static SocketOptions socketOptions(RedisAdapterOptions options) {
        SocketOptions.Builder socket = SocketOptions.builder();
        if (ExtendedKeepAliveSupport.isSupported()) {
            socket.keepAlive(KEEPALIVE);
        }
        if (userTimeoutSupported()) {
            socket.tcpUserTimeout(SocketOptions.TcpUserTimeoutOptions.builder().enable()
                    .tcpUserTimeout(userTimeout(options)).build());
        } else if (NO_USER_TIMEOUT_LOGGED.compareAndSet(false, true)) {
            log.warn("Redis connections run without TCP_USER_TIMEOUT (it needs netty's epoll or io_uring transport):"
                    + " a Redis host that goes silent without closing its connections is noticed on the publishing"
                    + " connection only when the kernel gives up retransmitting (tcp_retries2, about 15 minutes)");
        }
        return socket.build();
    }

    /** Whether lettuce's channels use a native transport, the only ones on which lettuce sets TCP_USER_TIMEOUT. */
    static boolean userTimeoutSupported() {
        return EpollProvider.isAvailable() || IOUringProvider.isAvailable();
    }

    private static Connections open(RedisAdapterOptions options) {
        // Reconnect attempts back off from 100 ms to 2 s (lettuce's default grows to 30 s): the cluster must resume
        // within seconds of Redis coming back.
        ClientResources.Builder builder = ClientResources.builder()
                .reconnectDelay(Delay.fullJitter(Duration.ofMillis(100), Duration.ofSeconds(2), 100, TimeUnit.MILLISECONDS));
        options.eventLoops().ifPresent(group -> builder.eventLoopGroupProvider(BorrowedEventLoops.of(group)));
        ClientResources resources = builder.build();
        AbstractRedisClient client = null;
        try {
            if (RedisUris.isCluster(options.redisUri())) {
                List<RedisURI> seeds = RedisUris.clusterSeeds(options.redisUri(), options.requestTimeout());
                options.clientName().ifPresent(name -> seeds.forEach(seed -> seed.setClientName(name)));
                RedisClusterClient cluster = RedisClusterClient.create(resources, seeds);
                client = cluster;
                cluster.setOptions(ClusterClientOptions.builder()
                        .autoReconnect(true)
                        .socketOptions(socketOptions(options))
                        // Node connections open lazily and reconnect during a failover: commands wait for them
                        // (bounded by the timeout) instead of failing at once.
                        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS)
                        // Commands written to a connected node and waiting for a slow Redis's answers are bounded
                        // (RedisLink holds or drops a publish refused for it); those parked on a node connection
                        // still being opened are not counted by lettuce, only ended by the timeout.
                        .requestQueueSize(options.commandQueueSize())
                        .timeoutOptions(TimeoutOptions.enabled(options.requestTimeout()))
                        // A failed primary stays in CLUSTER NODES (flagged fail, without slots) until an operator
                        // forgets it: left out of the topology, its connections are closed instead of being
                        // reconnected to a dead address every few hundred milliseconds.
                        .nodeFilter(node -> !node.is(RedisClusterNode.NodeFlag.FAIL)
                                && !node.is(RedisClusterNode.NodeFlag.EVENTUAL_FAIL)
                                && !node.is(RedisClusterNode.NodeFlag.NOADDR))
                        // Subscriptions follow a failover: the topology is read periodically and at once on MOVED,
                        // ASK, persistent reconnects and uncovered slots, from the seed nodes (with the nodes they
                        // announce as sources too, lettuce kept a dead primary as a slot's owner more often).
                        .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                                .enablePeriodicRefresh(PERIODIC_TOPOLOGY_REFRESH)
                                .enableAllAdaptiveRefreshTriggers()
                                .adaptiveRefreshTriggersTimeout(Duration.ofSeconds(1))
                                .dynamicRefreshSources(false)
                                .build())
                        .build());
                StatefulRedisClusterConnection<byte[], byte[]> pub = cluster.connect(ByteArrayCodec.INSTANCE);
                StatefulRedisClusterPubSubConnection<byte[], byte[]> sub = cluster.connectPubSub(ByteArrayCodec.INSTANCE);
                // Sharded subscriptions live on the connection to the shard's node: their messages must reach our listener.
                sub.setNodeMessagePropagation(true);
                // Opened now rather than at the first room's SSUBSCRIBE, which would then wait for a connection.
                cluster.getPartitions().forEach(node -> sub.getConnectionAsync(node.getNodeId()));
                return new Connections(cluster, pub, pub.async(), sub, true);
            }
            RedisURI uri = RedisUris.standalone(options.redisUri());
            uri.setTimeout(options.requestTimeout());
            options.sentinelPassword().ifPresent(password -> uri.getSentinels().forEach(sentinel -> sentinel.setAuthentication(password)));
            options.clientName().ifPresent(uri::setClientName);
            RedisClient standalone = RedisClient.create(resources, uri);
            client = standalone;
            standalone.setOptions(ClientOptions.builder()
                    .autoReconnect(true)
                    // Also the streams transport's blocking readers' options (RedisLink opens them on this client).
                    .socketOptions(socketOptions(options))
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    // Commands waiting for a slow Redis are bounded; RedisLink holds or drops a publish refused for it.
                    .requestQueueSize(options.commandQueueSize())
                    .timeoutOptions(TimeoutOptions.enabled(options.requestTimeout()))
                    .build());
            StatefulRedisConnection<byte[], byte[]> pub = standalone.connect(ByteArrayCodec.INSTANCE);
            StatefulRedisPubSubConnection<byte[], byte[]> sub = standalone.connectPubSub(ByteArrayCodec.INSTANCE);
            return new Connections(standalone, pub, pub.async(), sub, false);
        } catch (RuntimeException e) {
            if (client != null) {
                client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
            }
            releaseResources(resources, options.eventLoops());
            throw new ClusterUnavailableException("cannot connect to Redis at " + RedisUris.hosts(options.redisUri()) + ": "
                    + RedisUris.scrub(why(e, options.redisUri()), options.redisUri()), e);
        }
    }

    /**
     * What went wrong, down to its root: lettuce says only "Unable to connect to host:port", and the reason (refused,
     * NOAUTH, WRONGPASS, a certificate) is in its cause.
     */
    private static String why(Throwable e, String uri) {
        StringBuilder why = new StringBuilder(String.valueOf(e.getMessage()));
        for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            if (cause.getMessage() != null && !why.toString().contains(cause.getMessage())) {
                why.append(": ").append(cause.getMessage());
            }
        }
        String text = why.toString();
        if (text.contains("NOAUTH") || text.contains("WRONGPASS") || text.contains("invalid password")) {
            text += RedisUris.isSentinel(uri)
                    ? " (the primary's user and password go in the URI, the Sentinels' own password in sentinelPassword,"
                    + " REDIS_SENTINEL_PASSWORD for the gateway)"
                    : " (the user and password go in the URI: redis://user:password@host:port)";
        }
        return text;
    }

    /**
     * Stops lettuce's own resources once its client has shut down. A channel on lent loops may tell lettuce's event
     * bus that it went inactive after the client's shutdown returned (one still connecting then closes later, as a
     * topology refresh's or a failed connect's does): the bus's executor then stops with those loops, not before,
     * lest each such event be refused and logged as an error.
     */
    static void releaseResources(ClientResources resources, Optional<EventLoopGroup> lentLoops) {
        if (lentLoops.isPresent()) {
            lentLoops.get().terminationFuture().addListener(done -> resources.shutdown(0, 2, TimeUnit.SECONDS));
        } else {
            resources.shutdown(0, 2, TimeUnit.SECONDS);
        }
    }

    /**
     * The application's event loops lent to lettuce: every channel lettuce opens is registered on them, and
     * neither closing a connection nor shutting lettuce down touches them (their owner shuts them down).
     */
    private static final class BorrowedEventLoops implements EventLoopGroupProvider {

        private final EventLoopGroup group;

        private BorrowedEventLoops(EventLoopGroup group) {
            this.group = group;
        }

        /** The loops lent, once checked to be of the kind lettuce's channels need on this machine. */
        static BorrowedEventLoops of(EventLoopGroup group) {
            Class<? extends EventLoopGroup> needed = Transports.eventLoopGroupClass();
            if (!needed.isInstance(group)) {
                throw new IllegalArgumentException("eventLoops: Redis I/O needs a " + needed.getSimpleName()
                        + " here; the event loops given are a " + group.getClass().getSimpleName());
            }
            return new BorrowedEventLoops(group);
        }

        @Override
        public <T extends EventLoopGroup> T allocate(Class<T> type) {
            return type.cast(group);
        }

        @Override
        public int threadPoolSize() {
            int loops = 0;
            for (EventExecutor ignored : group) {
                loops++;
            }
            return loops;
        }

        @Override
        public Future<Boolean> release(EventExecutorGroup eventLoopGroup, long quietPeriod, long timeout, TimeUnit unit) {
            return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true);
        }

        @Override
        public Future<Boolean> shutdown(long quietPeriod, long timeout, TimeUnit timeUnit) {
            return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true);
        }
    }
}
