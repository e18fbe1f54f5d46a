package io.realtime.cluster.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.models.partitions.Partitions;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.pubsub.StatefulRedisClusterPubSubConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.realtime.cluster.ClusterObserver;
import io.realtime.cluster.ClusterStats;
import io.realtime.cluster.ClusterUnavailableException;
import io.realtime.cluster.RedisAdapterOptions;
import io.realtime.cluster.core.ClusterMessage;
import io.realtime.cluster.core.MalformedMessageException;
import io.realtime.cluster.core.MalformedMessages;
import io.realtime.cluster.redis.OutageBuffer.Append;
import io.realtime.cluster.redis.OutageBuffer.Outgoing;
import io.realtime.cluster.redis.OutageBuffer.Publish;
import io.netty.util.concurrent.EventExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The node's two Redis connections (lettuce, asynchronous; one Redis, Sentinel or a Redis Cluster with
 * {@link ClusterTopology}): one publishes and asks, one is subscribed. Shared by every namespace and by the
 * transport on top; knows plain ({@code PUBLISH}/{@code SUBSCRIBE}/{@code PSUBSCRIBE}) and sharded
 * ({@code SPUBLISH}/{@code SSUBSCRIBE}) pub/sub. Publishing never blocks: commands are pipelined and flushed once
 * per burst; while Redis is unreachable holdable messages wait in a bounded buffer and are sent when the
 * connection is back (lettuce reconnects and resubscribes by itself), and the others fail fast. While Redis is slow
 * they wait there too, in order, once {@link RedisAdapterOptions#commandQueueSize} commands wait for its answers.
 *
 * <p>About 400 lines: connection state, subscriptions and the outage buffer interlock (what is held is sent once
 * the subscribers are back), so they stay together.
 */
public final class RedisLink implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisLink.class);
    private static final Duration RESUBSCRIBE_WAIT = Duration.ofSeconds(3);
    /** How long after a reconnect to a single Redis its subscriber counts are taken to be settling. */
    private static final Duration RESUBSCRIBING = Duration.ofSeconds(10);

    /** How a message is published and its receivers subscribed. */
    public enum Mode { PLAIN, SHARDED }

    /** What becomes of a message published while Redis is unreachable, or while messages held meanwhile wait. */
    public enum Delivery {
        /** Kept and sent when Redis is back, in order (broadcasts, room changes, events without an answer). */
        HELD,
        /**
         * Fails at once while Redis is unreachable, and waits behind held messages (a request: the nodes answer it
         * knowing what was published before it).
         */
        AFTER_HELD,
        /** Fails at once while Redis is unreachable, and never waits (a response: its requester is waiting). */
        NOW
    }

    private final AbstractRedisClient client;
    private final StatefulConnection<byte[], byte[]> pub;
    private final RedisClusterAsyncCommands<byte[], byte[]> commands;
    private final StatefulRedisPubSubConnection<byte[], byte[]> sub;
    /** On a Redis Cluster: routing of publishes, server counts and failovers; null on one Redis. */
    private final ClusterTopology topology;
    private final Map<String, BiConsumer<String, byte[]>> patternHandlers = new ConcurrentHashMap<>();
    private final Map<String, BiConsumer<String, byte[]>> channelHandlers = new ConcurrentHashMap<>();
    private final Map<String, BiConsumer<String, byte[]>> shardHandlers = new ConcurrentHashMap<>();
    /** Our own SUNSUBSCRIBEs awaiting Redis's answer, by channel: their answers are not a primary dropping a slot. */
    private final Map<String, Integer> ownShardUnsubscribes = new ConcurrentHashMap<>();
    private final List<Runnable> lostListeners = new CopyOnWriteArrayList<>();
    /** Subscriptions Redis confirmed ("c:", "p:", "s:" + channel or pattern), for the subscriptions gauge. */
    private final java.util.Set<String> held = ConcurrentHashMap.newKeySet();
    /**
     * Subscriptions Redis confirmed on the subscriber connection and has not ended, wanted or not (same keys as
     * {@link #held}): what lettuce subscribes to again after a reconnect. Kept on a single Redis or Sentinel only.
     */
    private final java.util.Set<String> confirmed = ConcurrentHashMap.newKeySet();
    private final ClusterStats stats;
    private final MalformedMessages malformed;
    private final HandlerFailures handlerFailures;
    private final ClusterObserver observer;
    private final OutageBuffer outage;
    private final AtomicBoolean connected = new AtomicBoolean(true);
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    private final AtomicBoolean retryScheduled = new AtomicBoolean();
    /** {@link RedisAdapterOptions#commandQueueSize}: how many commands lettuce takes on the publishing connection. */
    private final int commandQueueSize;
    /** Commands this link handed to lettuce on the publishing connection, not completed yet: see {@link #admit}. */
    private final AtomicInteger inFlight = new AtomicInteger();
    /**
     * Times a connection this link publishes over dropped (on a Redis Cluster, any node connection but the
     * subscriber's): a publish that timed out with none dropped since it was sent was written on a connection still
     * the same, so Redis may still run it (see {@link #send}).
     */
    private final AtomicLong publishingDrops = new AtomicLong();
    /** Set while held messages wait for room under the bound: the next command to complete sends them. */
    private final AtomicBoolean waitingForRoom = new AtomicBoolean();
    /** Kinds of publish failure already logged (each is logged once; all are counted). */
    private final java.util.Set<String> loggedFailures = ConcurrentHashMap.newKeySet();
    /** Lettuce's own event executor: timeouts and flushes, no thread of ours. */
    private final EventExecutor scheduler;
    /** Answers (bounded) and replays (not): kept off the scheduler, whose flushes and timeouts they would delay. */
    private final io.realtime.cluster.core.ClusterWork work;
    /** The application's event loops the connections live on, when it lent them. */
    private final java.util.Optional<io.netty.channel.EventLoopGroup> lentLoops;
    private volatile boolean closing;
    private final AtomicBoolean closed = new AtomicBoolean();
    /**
     * The last server count seen on each channel counted (a namespace's), to know when the others have resubscribed
     * to all of them after an outage; by mode, then channel.
     */
    private final Map<Mode, Map<String, Counted>> lastCounts = countsByMode();
    /**
     * Until when (nanoTime) a single Redis's subscriber counts may dip: after a reconnect (an outage, a Sentinel
     * failover) the other nodes subscribe again one by one, each when its own connection is back.
     */
    private volatile long resubscribingUntil = System.nanoTime();

    private record Counted(Mode mode, String channel, int count) {
    }

    private static Map<Mode, Map<String, Counted>> countsByMode() {
        Map<Mode, Map<String, Counted>> counts = new java.util.EnumMap<>(Mode.class);
        for (Mode mode : Mode.values()) {
            counts.put(mode, new ConcurrentHashMap<>());
        }
        return counts;
    }

    private RedisLink(RedisConnector.Connections connections, RedisAdapterOptions options, ClusterStats stats,
                      ClusterObserver observer) {
        this.client = connections.client();
        this.pub = connections.pub();
        this.commands = connections.commands();
        this.sub = connections.sub();
        this.stats = stats;
        this.observer = observer;
        this.malformed = new MalformedMessages(stats.transport(), stats, observer);
        this.handlerFailures = new HandlerFailures(log, stats);
        this.outage = new OutageBuffer(options.outageBufferSize(), options.outageBufferAge(), stats,
                connections.cluster() ? RedisLink::laneOnACluster : outgoing -> OutageBuffer.ONE_LANE);
        this.commandQueueSize = options.commandQueueSize();
        this.scheduler = client.getResources().eventExecutorGroup().next();
        this.work = new io.realtime.cluster.core.ClusterWork("socketio-cluster-work", stats);
        this.lentLoops = options.eventLoops();
        this.topology = connections.cluster() ? new ClusterTopology((RedisClusterClient) client,
                (StatefulRedisClusterConnection<byte[], byte[]>) pub, stats, scheduler, options.requestTimeout()) : null;
    }

    /**
     * On a Redis Cluster, a sharded message's lane in the outage buffer is its channel's slot: each slot's primary is
     * reached on a connection of its own and read by the other nodes on one of theirs, so the order that holding keeps
     * (a socket's broadcasts to a room, a request behind the broadcasts published before it) only ever held per slot
     * there, and a shard that is down holds back only what goes to its slots. Plain publishes (all sent to one
     * primary) and stream appends keep one order.
     */
    private static int laneOnACluster(Outgoing outgoing) {
        return outgoing instanceof Publish publish && publish.sharded()
                ? SlotHash.getSlot(bytes(publish.channel())) : OutageBuffer.ONE_LANE;
    }

    /** Connects to Redis; fails (with the reason) when it cannot be reached within the request timeout. */
    public static RedisLink connect(RedisAdapterOptions options, ClusterStats stats, ClusterObserver observer) {
        RedisLink link = new RedisLink(RedisConnector.connect(options), options, stats, observer);
        link.listen();
        return link;
    }

    private void listen() {
        if (topology != null) {
            topology.watch(this::followTopology, reachable -> {
                if (reachable) {
                    onReachable("a primary answers");
                } else {
                    onUnreachable();
                }
            });
            client.addListener(new RedisConnectionStateListener() {
                @Override
                public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
                    // A node connection of the subscriber (the publisher's are not pub/sub connections).
                    if (connection instanceof StatefulRedisPubSubConnection<?, ?> && connection != sub) {
                        scheduler.execute(() -> renewShardSubscriptions(connection));
                    }
                }

                @Override
                public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
                    if (!(connection instanceof StatefulRedisPubSubConnection<?, ?>)) {
                        publishingDrops.incrementAndGet();
                    }
                }
            });
            // A primary that loses a slot (a resharding, a failover) unsubscribes that slot's sharded subscribers
            // itself; lettuce passes the notice on and subscribes nothing again. A channel still wanted has the
            // topology read until the new owner shows, and followTopology subscribes it there.
            sub.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void sunsubscribed(byte[] channel, long count) {
                    String name = text(channel);
                    if (!closing && !answersOwnUnsubscribe(name) && shardHandlers.containsKey(name)) {
                        topology.suspect();
                    }
                }
            });
        } else {
            // Bursts of publishes are written together: one flush per burst instead of one per message.
            pub.setAutoFlushCommands(false);
        }
        sub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(byte[] channel, byte[] message) {
                dispatch(channelHandlers, text(channel), text(channel), message);
            }

            @Override
            public void message(byte[] pattern, byte[] channel, byte[] message) {
                dispatch(patternHandlers, text(pattern), text(channel), message);
            }

            @Override
            public void smessage(byte[] channel, byte[] message) {
                dispatch(shardHandlers, text(channel), text(channel), message);
            }
        });
        // On a Redis Cluster a lost node is a failover, not an outage: lettuce reroutes once the topology is read
        // again, and a publish that fails meanwhile (its node's connection dropped, or was down when it was issued)
        // is held like any other (see send). The topology tells when no primary answers at all (watched above).
        RedisConnectionStateListener outageListener = new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
                onReachable(String.valueOf(address));
            }

            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
                publishingDrops.incrementAndGet();
                onUnreachable();
            }
        };
        if (topology == null) {
            ((StatefulRedisConnection<byte[], byte[]>) pub).addListener(outageListener);
            // What Redis confirmed, for the reconciliation below (on a Cluster the subscriptions live on each node's
            // connection, renewed by renewShardSubscriptions instead).
            sub.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void subscribed(byte[] channel, long count) {
                    confirmed.add("c:" + text(channel));
                }

                @Override
                public void unsubscribed(byte[] channel, long count) {
                    confirmed.remove("c:" + text(channel));
                }

                @Override
                public void psubscribed(byte[] pattern, long count) {
                    confirmed.add("p:" + text(pattern));
                }

                @Override
                public void punsubscribed(byte[] pattern, long count) {
                    confirmed.remove("p:" + text(pattern));
                }

                @Override
                public void ssubscribed(byte[] channel, long count) {
                    confirmed.add("s:" + text(channel));
                }

                @Override
                public void sunsubscribed(byte[] channel, long count) {
                    confirmed.remove("s:" + text(channel));
                }
            });
            sub.addListener(new RedisConnectionStateListener() {
                @Override
                public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
                    reconcileSubscriptions();
                }
            });
        }
    }

    private void onReachable(String where) {
        if (connected.compareAndSet(false, true)) {
            resubscribingUntil = System.nanoTime() + RESUBSCRIBING.toNanos();
            stats.recordReconnect();
            log.info("Redis connection is back ({}); {} held messages to send", where, outage.size());
            outage.resume();
            scheduler.execute(() -> resendWhenResubscribed(System.nanoTime() + RESUBSCRIBE_WAIT.toNanos()));
        }
    }

    private void onUnreachable() {
        if (!closing && connected.compareAndSet(true, false)) {
            log.warn("Redis connection lost; local delivery goes on, broadcasts are held until it is back");
            // Held messages now wait for the reconnect and the others' resubscription, not for room: a command
            // cancelled by the outage must not send them.
            waitingForRoom.set(false);
            outage.failRequests();
            lostListeners.forEach(Runnable::run);
        }
    }

    /**
     * After the subscriber connection is back, lettuce has subscribed again to what Redis had confirmed: a
     * subscription made while it was down was refused and is missing, and one ended meanwhile is back. Sent after
     * lettuce's own resubscription (it goes out before this event), so what is unwanted ends unsubscribed.
     */
    private void reconcileSubscriptions() {
        if (closing) {
            return;
        }
        var commands = sub.async();
        unsubscribeUnwanted("c:", channelHandlers, channel -> commands.unsubscribe(channel));
        unsubscribeUnwanted("p:", patternHandlers, pattern -> commands.punsubscribe(pattern));
        unsubscribeUnwanted("s:", shardHandlers, channel -> commands.sunsubscribe(channel));
        subscribeMissing("c:", channelHandlers, channel -> commands.subscribe(channel));
        subscribeMissing("p:", patternHandlers, pattern -> commands.psubscribe(pattern));
        subscribeMissing("s:", shardHandlers, channel -> commands.ssubscribe(channel));
    }

    private void unsubscribeUnwanted(String kind, Map<String, ?> wanted, Consumer<byte[]> unsubscribe) {
        for (String key : confirmed) {
            if (key.startsWith(kind) && !wanted.containsKey(key.substring(kind.length()))) {
                unsubscribe.accept(bytes(key.substring(kind.length())));
            }
        }
    }

    private void subscribeMissing(String kind, Map<String, ?> wanted, Function<byte[], RedisFuture<Void>> subscribe) {
        for (String name : wanted.keySet()) {
            if (!confirmed.contains(kind + name)) {
                confirm(kind + name, wanted, name, subscribe.apply(bytes(name)));
            }
        }
    }

    /**
     * After a Redis Cluster failover: lettuce reconnects a node connection to the same (dead) node, so sharded
     * subscriptions are issued again and routed to the slot's new owner; what was held meanwhile is sent.
     */
    private void followTopology() {
        if (closing) {
            return;
        }
        List<String> channels = List.copyOf(shardHandlers.keySet());
        if (!channels.isEmpty()) {
            log.info("Redis Cluster topology changed: renewing {} sharded subscriptions", channels.size());
            channels.forEach(this::renewShardSubscription);
        }
        // A slot whose sends failed may have its owner now.
        outage.resume();
        resendWhenResubscribed(System.nanoTime() + RESUBSCRIBE_WAIT.toNanos());
    }

    /**
     * A Redis Cluster node's subscriber connection is back with the same slot owners (a network blip, CLIENT KILL,
     * the pub/sub output-buffer limit, a restart without failover), so {@link #followTopology} is not called. lettuce
     * subscribes it again with ONE SSUBSCRIBE of all its shard channels, which Redis refuses (CROSSSLOT) when they
     * hash to several slots, as a namespace's, its responses' and its rooms' channels do: each wanted channel that
     * node serves is subscribed again by itself (one still held is only confirmed again).
     */
    private void renewShardSubscriptions(RedisChannelHandler<?, ?> connection) {
        if (closing) {
            return;
        }
        Partitions partitions = ((StatefulRedisClusterPubSubConnection<byte[], byte[]>) sub).getPartitions();
        List<String> channels = shardHandlers.keySet().stream()
                .filter(channel -> routedOver(connection, partitions.getMasterBySlot(SlotHash.getSlot(bytes(channel)))))
                .toList();
        if (!channels.isEmpty()) {
            log.info("Redis Cluster subscriber connection is back: renewing {} sharded subscriptions", channels.size());
            channels.forEach(this::renewShardSubscription);
        }
    }

    /**
     * SSUBSCRIBE again, if still wanted, in one step with that check: a room deleted since the renewal listed its
     * channel has its SUNSUBSCRIBE sent by {@link #sunsubscribe} in one step too, so the two go out in the order of
     * the steps and a deleted room is never subscribed again behind its own unsubscribe.
     */
    private void renewShardSubscription(String channel) {
        shardHandlers.computeIfPresent(channel, (name, handler) -> {
            sub.async().ssubscribe(bytes(name)).thenRun(() -> unsubscribeIfUnwanted(name));
            return handler;
        });
    }

    /**
     * On a Redis Cluster, writes for a node whose connection is still opening wait for it, and lettuce sends them in
     * another order than they were made: a channel unsubscribed while its SSUBSCRIBE waited there can be subscribed
     * after its SUNSUBSCRIBE. Once Redis confirms a subscription, a channel no longer wanted is unsubscribed again.
     */
    private void unsubscribeIfUnwanted(String channel) {
        shardHandlers.compute(channel, (name, handler) -> {
            if (handler == null && sub.isOpen()) {
                sendSunsubscribe(name);
            }
            return handler;
        });
    }

    /**
     * Whether {@code connection} is the one lettuce sends a slot's subscriptions over when {@code owner} serves it:
     * the subscriber's connection to that primary's host and port (those it opens by node id carry none).
     */
    private boolean routedOver(RedisChannelHandler<?, ?> connection, RedisClusterNode owner) {
        if (owner == null) {
            return false;
        }
        CompletableFuture<?> open = ((StatefulRedisClusterPubSubConnection<byte[], byte[]>) sub)
                .getConnectionAsync(owner.getUri().getHost(), owner.getUri().getPort());
        return open.isDone() && !open.isCompletedExceptionally() && open.join() == connection;
    }

    private void dispatch(Map<String, BiConsumer<String, byte[]>> handlers, String key, String channel, byte[] message) {
        stats.recordReceived(message.length);
        BiConsumer<String, byte[]> handler = handlers.get(key);
        if (handler == null) {
            return;
        }
        try {
            handler.accept(channel, message);
        } catch (MalformedMessageException e) {
            malformed.report(channel, e.kind(), e.getMessage());
        } catch (RuntimeException e) {
            // Read, then not applied: a failure of this node (the adapter, an application's handler), not a message
            // its sender got wrong, so not counted as malformed.
            handlerFailures.report("applying a message read on " + channel, e);
        }
    }

    public boolean isConnected() {
        return connected.get() && pub.isOpen();
    }

    public ClusterStats stats() {
        return stats;
    }

    public MalformedMessages malformed() {
        return malformed;
    }

    HandlerFailures handlerFailures() {
        return handlerFailures;
    }

    /** How many commands may wait for Redis on the publishing connection ({@link RedisAdapterOptions#commandQueueSize}). */
    public int commandQueueSize() {
        return commandQueueSize;
    }

    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    public io.realtime.cluster.core.ClusterWork work() {
        return work;
    }

    /**
     * Runs {@code listener} whenever the connection to Redis is lost (pending requests fail fast); the returned
     * action stops it, for a namespace channel that closes while the link stays.
     */
    public Runnable onConnectionLost(Runnable listener) {
        Runnable registered = listener::run;
        lostListeners.add(registered);
        return () -> lostListeners.remove(registered);
    }

    public void psubscribe(String pattern, BiConsumer<String, byte[]> handler) {
        patternHandlers.put(pattern, handler);
        confirm("p:" + pattern, patternHandlers, pattern, sub.async().psubscribe(bytes(pattern)));
    }

    public void subscribe(List<String> channels, BiConsumer<String, byte[]> handler) {
        channels.forEach(channel -> channelHandlers.put(channel, handler));
        RedisFuture<Void> done = sub.async().subscribe(channels.stream().map(RedisLink::bytes).toArray(byte[][]::new));
        channels.forEach(channel -> confirm("c:" + channel, channelHandlers, channel, done));
    }

    /** SSUBSCRIBE: completes when Redis confirmed the subscription. */
    public CompletionStage<Void> ssubscribe(String channel, BiConsumer<String, byte[]> handler) {
        shardHandlers.put(channel, handler);
        RedisFuture<Void> done = sub.async().ssubscribe(bytes(channel));
        confirm("s:" + channel, shardHandlers, channel, done);
        if (topology != null) {
            done.thenRun(() -> unsubscribeIfUnwanted(channel));
        }
        return done;
    }

    /** A subscription counts as held once Redis confirmed it, and while it is still wanted. */
    private void confirm(String key, Map<String, ?> wanted, String name, CompletionStage<Void> done) {
        done.whenComplete((ok, failure) -> {
            if (failure == null && wanted.containsKey(name) && held.add(key)) {
                stats.recordSubscriptions(1);
            }
        });
    }

    private void release(String key) {
        if (held.remove(key)) {
            stats.recordSubscriptions(-1);
        }
    }

    public void sunsubscribe(String channel) {
        // A namespace's channel closed: its count is no longer one to wait for.
        lastCounts.get(Mode.SHARDED).remove(channel);
        // One step with the removal: see renewShardSubscription.
        shardHandlers.compute(channel, (name, handler) -> {
            release("s:" + name);
            if (sub.isOpen()) {
                sendSunsubscribe(name);
            }
            return null;
        });
    }

    private void sendSunsubscribe(String channel) {
        if (topology != null) {
            // A room left and joined again before this answer comes: the answer must not look like a lost slot.
            ownShardUnsubscribes.merge(channel, 1, Integer::sum);
        }
        sub.async().sunsubscribe(bytes(channel)).whenComplete((ok, failure) -> {
            if (failure != null && topology != null) {
                answersOwnUnsubscribe(channel);
            }
        });
    }

    /** On a Redis Cluster, whether a failover may be under way (the topology is being read every second). */
    boolean topologyUnsettled() {
        return topology != null && topology.unsettled();
    }

    /** Whether a SUNSUBSCRIBE answer for {@code channel} is the answer to one of ours (counted off when it is). */
    private boolean answersOwnUnsubscribe(String channel) {
        boolean[] own = {false};
        ownShardUnsubscribes.computeIfPresent(channel, (key, pending) -> {
            own[0] = true;
            return pending == 1 ? null : pending - 1;
        });
        return own[0];
    }

    public void unsubscribe(List<String> patterns, List<String> channels) {
        patterns.forEach(pattern -> {
            patternHandlers.remove(pattern);
            release("p:" + pattern);
        });
        channels.forEach(channel -> {
            channelHandlers.remove(channel);
            release("c:" + channel);
            lastCounts.get(Mode.PLAIN).remove(channel);
        });
        if (sub.isOpen()) {
            if (!patterns.isEmpty()) {
                sub.async().punsubscribe(patterns.stream().map(RedisLink::bytes).toArray(byte[][]::new));
            }
            if (!channels.isEmpty()) {
                sub.async().unsubscribe(channels.stream().map(RedisLink::bytes).toArray(byte[][]::new));
            }
        }
    }

    /**
     * Publishes a message; {@code delivery} says what becomes of it while Redis is unreachable, or while messages
     * held during an outage still wait to be sent.
     */
    public CompletionStage<Void> publish(Mode mode, String channel, byte[] message, Delivery delivery) {
        Publish publish = new Publish(mode == Mode.SHARDED, channel, message);
        if (delivery == Delivery.HELD) {
            // Its publisher is told it was taken, whether it goes now, is held, or is held again after a failed send.
            return holdOrSend(publish).handle(RedisLink::taken);
        }
        if (!isConnected()) {
            return CompletableFuture.failedFuture(unavailable(null));
        }
        if (delivery == Delivery.AFTER_HELD) {
            CompletableFuture<Void> queued = outage.queueIfWaiting(() -> !isConnected(), publish);
            if (queued != null) {
                return queued;
            }
        }
        if (!admit()) {
            // As lettuce refused it before: the caller learns at once.
            stats.recordPublishFailure();
            return CompletableFuture.failedFuture(unavailable(queueFull()));
        }
        return send(publish, null).thenApply(RedisLink::taken);
    }

    private static Void taken(Object answer) {
        return null;
    }

    private static Void taken(Object answer, Throwable failure) {
        return null;
    }

    /**
     * Sends a message or entry that may be held, or holds it: while Redis is unreachable, while messages held
     * before it still wait to be sent (sent now, it would overtake them, and after a reconnect the nodes not back yet
     * would miss it), or while Redis is too slow to take more commands. Fails with {@link HeldException} when it is
     * held, at once or after a send that did not reach Redis; with the cause otherwise.
     */
    private CompletionStage<Object> holdOrSend(Outgoing outgoing) {
        if (outage.holdIfWaiting(() -> !isConnected(), outgoing)) {
            return CompletableFuture.failedFuture(HeldException.INSTANCE);
        }
        if (!admit()) {
            holdForRoom(outgoing);
            return CompletableFuture.failedFuture(HeldException.INSTANCE);
        }
        // Its place in the order, taken now: if the send fails, the messages published after it and held meanwhile
        // (since an earlier failure) must not go out first.
        long place = outage.place();
        long publishedAt = System.nanoTime();
        return send(outgoing, () -> outage.holdFailed(place, outgoing, publishedAt));
    }

    /**
     * Takes a place for one command among the {@link RedisAdapterOptions#commandQueueSize} lettuce takes on the
     * publishing connection; {@link #completed} gives it back. lettuce checks that bound itself, command by command,
     * when a command is buffered and again when the flush writes it to the connection (on its I/O thread, where Redis's
     * answers free room in between): a publish it refused at the flush was held again after the later ones buffered
     * meanwhile had gone out, so the other nodes got them out of order. Kept at the bound here (every command this link
     * sends on that connection is counted), lettuce never refuses one, and a publish beyond it is held in order
     * instead. (A command that timed out leaves this count while lettuce still waits for its answer: until Redis gives
     * it, lettuce may refuse one, held again as before, which is safe since a refused command was never sent.) On a
     * Redis Cluster lettuce bounds each node's connection, while this count covers them all: a stricter
     * bound there, where a shard that stopped answering also holds back broadcasts to the others until its commands
     * time out.
     */
    private boolean admit() {
        if (inFlight.incrementAndGet() <= commandQueueSize) {
            return true;
        }
        inFlight.decrementAndGet();
        return false;
    }

    /**
     * A command admitted by {@link #admit} completed: its room goes to the messages held for want of it. At every
     * answer, not only once much room is free: the commands that never wait (appends, requests, session writes) would
     * keep taking the room meanwhile, and the held broadcasts could wait until they aged out.
     */
    private void completed() {
        inFlight.decrementAndGet();
        resendIfRoom();
    }

    /** Held messages wait for room: the next command to complete sends them. */
    private void awaitRoom() {
        waitingForRoom.set(true);
        // The last command in flight may have completed before the flag was up, with nobody left to see it.
        resendIfRoom();
    }

    private void resendIfRoom() {
        if (waitingForRoom.get() && inFlight.get() < commandQueueSize && waitingForRoom.compareAndSet(true, false)) {
            scheduler.execute(this::resendHeld);
        }
    }

    private void holdForRoom(Outgoing outgoing) {
        if (loggedFailures.add("commandQueueSize")) {
            log.warn("Redis is not keeping up: {} commands wait for its answers (commandQueueSize); broadcasts are held"
                    + " and sent in order as it answers", commandQueueSize);
        }
        outage.hold(outgoing);
        awaitRoom();
    }

    /** What lettuce fails a command with beyond its bound. */
    private io.lettuce.core.RedisException queueFull() {
        return new io.lettuce.core.RedisException("Request queue size exceeded: " + commandQueueSize
                + ". Commands are not accepted until the queue size drops.");
    }

    /** Issues a command on the publishing connection within the bound of {@link #admit}, failing as lettuce would. */
    private <T> CompletionStage<T> issue(Supplier<? extends CompletionStage<T>> command) {
        if (!admit()) {
            return CompletableFuture.failedFuture(queueFull());
        }
        CompletionStage<T> issued = dispatch(command);
        issued.whenComplete((value, failure) -> completed());
        scheduleFlush();
        return issued;
    }

    /**
     * The command's answer, or a failure when it threw before lettuce had it: failed like any other command, so that
     * the room {@link #admit} took for it is given back (a leak would hold every broadcast for good).
     */
    private static <T> CompletionStage<T> dispatch(Supplier<? extends CompletionStage<T>> command) {
        try {
            return command.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** A message the cluster core publishes: held if it may be, else a request, which waits behind held ones. */
    static Delivery deliveryOf(ClusterMessage message) {
        return message.holdable() ? Delivery.HELD : Delivery.AFTER_HELD;
    }

    /**
     * Sends a message or entry the caller {@link #admit admitted}: the answer is Redis's (an entry's id). When that
     * fails, {@code holdAgain} keeps it to be sent again at its place in the order (and the result fails with a
     * {@link HeldException}), or, if it is {@code null}, the caller learns of the failure.
     *
     * <p>A broadcast is held again only when it did not reach Redis, or most likely did not: lettuce refused it
     * (never sent), Redis answered an error (not run), or its connection dropped (lettuce fails what it had written
     * and not seen answered, and on a single Redis or Sentinel never writes it again; on a Redis Cluster it keeps it
     * for the reconnect, or moves it to the slot's new owner, until it times out). After a drop, what was written
     * before it was mostly not run (a Redis that died or was cut off), so sending it again is what delivers it; one
     * whose answer alone was lost is then delivered twice, a rare duplicate taken for the many saved. A timeout on a
     * single Redis or Sentinel's connection still the same (none dropped since the send) is another matter: lettuce
     * wrote it and stopped waiting, and a Redis that is only slow (a fork, a long command, a paused VM) runs it when it
     * catches up, in order with what follows on that connection. Sent again, each retry would add a copy Redis runs
     * too, behind later broadcasts. It is counted ({@link ClusterStats#publishesUnconfirmed}) and not sent again: lost
     * if it never reached Redis (a connection that died without a word), at most once as with Node's adapter. On a
     * Redis Cluster a timeout is held and sent again as before: there it most often means a primary that is gone
     * without a word (a partition, a host that died), whose slot a failover gives to a replica, and the resend to it
     * is what delivers the broadcasts of those seconds; a primary that was only slow runs a copy too.
     */
    private CompletionStage<Object> send(Outgoing outgoing, Runnable holdAgain) {
        long started = System.nanoTime();
        long dropsBefore = publishingDrops.get();
        CompletionStage<?> sent = dispatch(() -> command(outgoing));
        CompletableFuture<Object> result = new CompletableFuture<>();
        sent.whenComplete((answer, failure) -> {
            try {
                if (failure == null) {
                    stats.recordPublished();
                    if (outgoing instanceof Publish publish) {
                        countShortDelivery(publish, (Long) answer);
                    }
                    observer.published(System.nanoTime() - started);
                    result.complete(answer);
                } else if (holdAgain != null) {
                    stats.recordPublishFailure();
                    if (topology != null) {
                        // No connection event tells when a shard is back, or that a silent one failed over: look at
                        // the topology.
                        topology.suspect();
                    }
                    if (outgoing instanceof Append && refusedForGood(failure)) {
                        // Held again it would hold back every later append and request until it aged out.
                        if (loggedFailures.add("append refused")) {
                            log.warn("Redis refused a stream append; it reached this node's sockets only: {}", failure.toString());
                        }
                        result.completeExceptionally(unavailable(failure));
                    } else if (mayStillRun(failure, dropsBefore)) {
                        stats.recordPublishUnconfirmed();
                        if (loggedFailures.add("unconfirmed")) {
                            log.warn("a publish to Redis timed out: Redis runs it when it catches up, so it is not sent"
                                    + " again (lost if it never reached Redis; counted as unconfirmed): {}", failure.toString());
                        }
                        result.completeExceptionally(unavailable(failure));
                    } else {
                        if (loggedFailures.add(failure.getClass().getName())) {
                            log.warn("publishing to Redis failed, the message is held and sent again: {}", failure.toString());
                        }
                        // Its sender learns first: an entry's appender must know it will come back before it can.
                        result.completeExceptionally(HeldException.INSTANCE);
                        // Its lane (everything, but a Redis Cluster's sharded slot) is not resent before the retry,
                        // rather than on a connection that fails every command at once; the other lanes are.
                        outage.pause(outgoing);
                        holdAgain.run();
                        // Try again shortly even if the connection stays up (an error answer): later messages of
                        // its lane wait behind this one.
                        scheduleRetry();
                    }
                } else {
                    stats.recordPublishFailure();
                    result.completeExceptionally(unavailable(failure));
                }
            } finally {
                // Last: a message held again is back in its place before the room it frees sends what is held.
                completed();
            }
        });
        scheduleFlush();
        return result;
    }

    private CompletionStage<?> command(Outgoing outgoing) {
        if (outgoing instanceof Append append) {
            return commands.xadd(bytes(append.stream()), io.lettuce.core.XAddArgs.Builder.maxlen(append.maxLen())
                    .approximateTrimming(), append.body());
        }
        Publish publish = (Publish) outgoing;
        byte[] channel = bytes(publish.channel());
        Mode mode = publish.sharded() ? Mode.SHARDED : Mode.PLAIN;
        return topology != null ? topology.publish(mode, channel, publish.message())
                : publish.sharded() ? commands.spublish(channel, publish.message()) : commands.publish(channel, publish.message());
    }

    /**
     * An error answer that the same command would get again at once: an append Redis refuses for its memory
     * ({@code OOM} under {@code noeviction}), a failed save ({@code MISCONF}), the key's type or the user's rights.
     * Asked of appends only (a PUBLISH answered with an error is held again, as before); the errors that pass (a Redis
     * loading its data, a Redis Cluster slot moving or down) are held and sent again as any failed send.
     */
    private static boolean refusedForGood(Throwable failure) {
        Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (!(cause instanceof io.lettuce.core.RedisCommandExecutionException) || cause.getMessage() == null) {
            return false;
        }
        String message = cause.getMessage();
        return !(message.startsWith("LOADING") || message.startsWith("TRYAGAIN") || message.startsWith("CLUSTERDOWN")
                || message.startsWith("MASTERDOWN") || message.startsWith("BUSY") || message.startsWith("MOVED")
                || message.startsWith("ASK"));
    }

    /**
     * Whether a failed publish may still be run by Redis and is not to be sent again: it timed out (lettuce stopped
     * waiting for a command it had written) on a single Redis or Sentinel, and no connection it may have gone over
     * dropped since it was sent (see {@link #send}).
     */
    private boolean mayStillRun(Throwable failure, long dropsBefore) {
        Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        return topology == null && cause instanceof io.lettuce.core.RedisCommandTimeoutException
                && publishingDrops.get() == dropsBefore;
    }

    /**
     * SPUBLISH answers how many subscribers of the channel got the message; on the channel the server count is
     * taken from, fewer than counted means a node missed it. (A PUBLISH's answer on a Redis Cluster covers one
     * node's subscribers only, so plain pub/sub cannot tell.)
     */
    private void countShortDelivery(Publish publish, Long receivers) {
        if (receivers == null || !publish.sharded()) {
            return;
        }
        Counted counted = lastCounts.get(Mode.SHARDED).get(publish.channel());
        if (counted != null && receivers < counted.count()) {
            stats.recordUndelivered();
        }
    }

    /** {@code PUBSUB NUMSUB} (or {@code SHARDNUMSUB}) of one channel: how many connections are subscribed to it. */
    public CompletionStage<Integer> subscriberCount(Mode mode, String channel) {
        return count(mode, channel).thenApply(value -> {
            // While a failover or an outage settles the count dips (nodes subscribe again, on the promoted replica
            // or the same Redis): the count from before stays what held messages wait for and what a short delivery
            // is measured against. (A Sentinel failover let messages go to the one node back while the count said one.)
            boolean mayDip = topology != null ? topology.unsettled() : System.nanoTime() - resubscribingUntil < 0;
            lastCounts.get(mode).compute(channel, (key, before) ->
                    !mayDip || before == null || value >= before.count() ? new Counted(mode, channel, value) : before);
            return value;
        });
    }

    private CompletionStage<Integer> count(Mode mode, String channel) {
        if (!isConnected()) {
            return CompletableFuture.failedFuture(unavailable(null));
        }
        if (topology != null) {
            return topology.count(mode, bytes(channel));
        }
        CompletionStage<Map<byte[], Long>> counts = issue(() -> mode == Mode.SHARDED
                ? commands.pubsubShardNumsub(bytes(channel)) : commands.pubsubNumsub(bytes(channel)));
        return counts.thenApply(values -> values.values().stream().mapToInt(Long::intValue).sum());
    }

    /**
     * {@code XADD stream MAXLEN ~ maxLen * field value...}: the entry's id. Held as a broadcast is, in order with
     * what is held, while Redis is unreachable or too slow or while held messages wait to be sent (and held again
     * when its send fails without reaching Redis): {@code whenHeld} runs then, each time, before the entry can be
     * sent (a drain may append it, and the reader return it, before the caller hears), on the thread holding it and
     * under the buffer's lock, and the stage fails at once with a {@link HeldException}. Such
     * an entry has no id yet; it is appended when Redis is back and read back as any other, unless the buffer drops
     * it meanwhile ({@link RedisAdapterOptions#outageBufferSize}, {@link RedisAdapterOptions#outageBufferAge}). Any
     * other failure is a {@link ClusterUnavailableException} with its cause: a timeout, after which Redis may still
     * append it.
     */
    public CompletionStage<String> xadd(String stream, long maxLen, Map<String, String> fields, Runnable whenHeld) {
        Map<byte[], byte[]> body = new java.util.LinkedHashMap<>();
        fields.forEach((name, value) -> body.put(bytes(name), bytes(value)));
        return holdOrSend(new Append(stream, maxLen, body, whenHeld)).thenApply(String.class::cast);
    }

    /**
     * An entry {@link #xadd} held, or a message, to be sent when Redis can take it: its sender has no answer yet. One
     * instance without a stack: during an outage every broadcast gets it, on the thread publishing.
     */
    public static final class HeldException extends ClusterUnavailableException {

        static final HeldException INSTANCE = new HeldException();

        private HeldException() {
            super("held until Redis can take it", false);
        }
    }

    /**
     * {@code XRANGE stream from to COUNT count}: entries as field maps by id, in stream order, made on the link's
     * executor (and completed there): a replay's thousands of entries are not the I/O thread's to convert. This
     * node's own work (a restore reads its replay), so never refused for the queue's bound ({@link
     * io.realtime.cluster.core.ClusterWork#executeOwn}).
     */
    public CompletionStage<List<Map.Entry<String, Map<String, String>>>> xrange(String stream, String from, String to, int count) {
        if (!isConnected()) {
            return CompletableFuture.failedFuture(unavailable(null));
        }
        CompletionStage<List<io.lettuce.core.StreamMessage<byte[], byte[]>>> range = issue(() ->
                commands.xrange(bytes(stream), io.lettuce.core.Range.create(from, to), io.lettuce.core.Limit.from(count)));
        return range.thenApplyAsync(RedisLink::entries, work::executeOwn);
    }

    static List<Map.Entry<String, Map<String, String>>> entries(List<io.lettuce.core.StreamMessage<byte[], byte[]>> messages) {
        List<Map.Entry<String, Map<String, String>>> entries = new java.util.ArrayList<>(messages.size());
        for (io.lettuce.core.StreamMessage<byte[], byte[]> message : messages) {
            Map<String, String> fields = new java.util.LinkedHashMap<>();
            message.getBody().forEach((name, value) -> fields.put(text(name), text(value)));
            entries.add(Map.entry(message.getId(), fields));
        }
        return entries;
    }

    /** {@code GETDEL key}: the value, taken at most once; null when there is none. */
    public CompletionStage<String> getdel(String key) {
        if (!isConnected()) {
            return CompletableFuture.failedFuture(unavailable(null));
        }
        CompletionStage<byte[]> value = issue(() -> commands.getdel(bytes(key)));
        return value.thenApply(raw -> raw == null ? null : text(raw));
    }

    /** {@code SET key value PX ttl}. */
    public CompletionStage<Void> setPx(String key, String value, Duration ttl) {
        if (!isConnected()) {
            return CompletableFuture.failedFuture(unavailable(null));
        }
        CompletionStage<String> done = issue(() -> commands.set(bytes(key), bytes(value),
                io.lettuce.core.SetArgs.Builder.px(ttl.toMillis())));
        return done.thenApply(ok -> null);
    }

    /** {@code SET key value PX ttl NX}: whether it was set (false when the key exists). */
    public CompletionStage<Boolean> setPxIfAbsent(String key, String value, Duration ttl) {
        if (!isConnected()) {
            return CompletableFuture.failedFuture(unavailable(null));
        }
        CompletionStage<String> done = issue(() -> commands.set(bytes(key), bytes(value),
                io.lettuce.core.SetArgs.Builder.px(ttl.toMillis()).nx()));
        return done.thenApply("OK"::equals);
    }

    /** {@code GET key}; null when there is none. */
    public CompletionStage<String> get(String key) {
        if (!isConnected()) {
            return CompletableFuture.failedFuture(unavailable(null));
        }
        CompletionStage<byte[]> value = issue(() -> commands.get(bytes(key)));
        return value.thenApply(raw -> raw == null ? null : text(raw));
    }

    /** {@code DEL key}. */
    public CompletionStage<Void> del(String key) {
        if (!isConnected()) {
            return CompletableFuture.failedFuture(unavailable(null));
        }
        CompletionStage<Long> done = issue(() -> commands.del(bytes(key)));
        return done.thenApply(n -> null);
    }

    /**
     * {@code EVAL script 1 key args...}: its integer answer. The script goes with every call, not once (EVALSHA and
     * EVAL after NOSCRIPT): such a retry would reach Redis after a later call for the same key sent meanwhile, and
     * apply an older write over a newer one.
     */
    public CompletionStage<Long> eval(String script, String key, String... args) {
        if (!isConnected()) {
            return CompletableFuture.failedFuture(unavailable(null));
        }
        byte[][] values = Arrays.stream(args).map(RedisLink::bytes).toArray(byte[][]::new);
        return issue(() -> commands.eval(script, io.lettuce.core.ScriptOutputType.INTEGER, new byte[][] {bytes(key)}, values));
    }

    /** {@code PUBSUB NUMSUB} of one channel, without taking it as the cluster's count (an owner's liveness). */
    public CompletionStage<Integer> subscribers(String channel) {
        return count(Mode.PLAIN, channel);
    }

    /** {@code PEXPIRE key ttl}: whether the key exists. */
    public CompletionStage<Boolean> pexpire(String key, Duration ttl) {
        if (!isConnected()) {
            return CompletableFuture.failedFuture(unavailable(null));
        }
        return issue(() -> commands.pexpire(bytes(key), ttl.toMillis()));
    }

    /**
     * The id of a stream's last entry, {@code 0-0} when it has none ({@code XREVRANGE ... COUNT 1}), asked on the
     * publishing connection without waiting for the answer: Redis runs it before every command this link sends
     * after it, so an entry this node appends next comes after that id.
     */
    public CompletionStage<String> lastId(String stream) {
        if (!isConnected()) {
            return CompletableFuture.failedFuture(unavailable(null));
        }
        CompletionStage<List<io.lettuce.core.StreamMessage<byte[], byte[]>>> last = issue(() -> commands.xrevrange(bytes(stream),
                io.lettuce.core.Range.create("-", "+"), io.lettuce.core.Limit.from(1)));
        return last.thenApply(RedisLink::lastIdOf);
    }

    private static String lastIdOf(List<io.lettuce.core.StreamMessage<byte[], byte[]>> last) {
        return last == null || last.isEmpty() ? "0-0" : last.get(0).getId();
    }

    /**
     * A connection of its own for blocking reads ({@code XREAD BLOCK}), which must never hold up the pipelined
     * publishes. Opening it waits for Redis (up to the request timeout): it is opened and used on one thread of the
     * caller's own (the stream reader's), never on lettuce's or Netty's loops.
     */
    public BlockingReader openBlockingReader() {
        if (client instanceof io.lettuce.core.cluster.RedisClusterClient cluster) {
            StatefulRedisClusterConnection<byte[], byte[]> connection = cluster.connect(io.lettuce.core.codec.ByteArrayCodec.INSTANCE);
            return new BlockingReader(connection, connection.sync());
        }
        StatefulRedisConnection<byte[], byte[]> connection =
                ((io.lettuce.core.RedisClient) client).connect(io.lettuce.core.codec.ByteArrayCodec.INSTANCE);
        return new BlockingReader(connection, connection.sync());
    }

    /** A blocking connection and its synchronous commands. */
    public record BlockingReader(StatefulConnection<byte[], byte[]> connection,
                                 io.lettuce.core.cluster.api.sync.RedisClusterCommands<byte[], byte[]> commands)
            implements AutoCloseable {

        /** {@code XREAD BLOCK blockMillis COUNT count STREAMS stream after}: entries after {@code after}, in order. */
        public List<Map.Entry<String, Map<String, String>>> read(String stream, String after, int count, long blockMillis) {
            List<io.lettuce.core.StreamMessage<byte[], byte[]>> messages = commands.xread(
                    io.lettuce.core.XReadArgs.Builder.block(blockMillis).count(count),
                    io.lettuce.core.XReadArgs.StreamOffset.from(bytes(stream), after));
            return messages == null ? List.of() : entries(messages);
        }

        @Override
        public void close() {
            connection.close();
        }
    }

    public static ClusterUnavailableException unavailable(Throwable cause) {
        return new ClusterUnavailableException("Redis is unreachable", cause);
    }

    private void scheduleFlush() {
        if (topology != null) {
            // A Redis Cluster connection writes each command at once (auto-flush stays on there); flushing it anyway
            // can fail inside lettuce while it is still connecting to a node.
            return;
        }
        if (flushScheduled.compareAndSet(false, true)) {
            scheduler.execute(() -> {
                flushScheduled.set(false);
                pub.flushCommands();
            });
        }
    }

    /**
     * Pub/sub keeps nothing: held messages are sent once the other nodes have resubscribed too (on every channel
     * counted, as many servers as before the outage: each namespace has its own), or after a short wait for those
     * that do not come back. On a Redis Cluster a sharded channel whose shard is down (no primary serves its slot, or
     * its count failed: its primary does not answer) is not waited for: nobody can resubscribe there until a replica
     * is promoted, and the wait would hold back what is held for the shards that are up.
     */
    private void resendWhenResubscribed(long deadlineNanos) {
        List<Counted> awaited = lastCounts.values().stream().flatMap(counts -> counts.values().stream())
                .filter(counted -> counted.count() > 1 && !onADownShard(counted)).toList();
        if (awaited.isEmpty() || System.nanoTime() > deadlineNanos) {
            resendHeld();
            return;
        }
        List<CompletableFuture<Boolean>> back = awaited.stream().map(counted -> count(counted.mode(), counted.channel())
                .toCompletableFuture().handle((count, failure) -> failure == null ? count >= counted.count()
                        : isConnected() && onAShard(counted))).toList();
        CompletableFuture.allOf(back.toArray(CompletableFuture[]::new)).whenComplete((all, failure) -> {
            if (back.stream().allMatch(CompletableFuture::join)) {
                scheduler.execute(this::resendHeld);
            } else {
                scheduler.schedule(() -> resendWhenResubscribed(deadlineNanos), 100, TimeUnit.MILLISECONDS);
            }
        });
    }

    /** Whether a count is of a sharded channel on a Redis Cluster: one shard's primary alone holds its subscribers. */
    private boolean onAShard(Counted counted) {
        return topology != null && counted.mode() == Mode.SHARDED;
    }

    /** Whether a count is of a sharded channel on a Redis Cluster whose slot has no primary that lettuce knows alive. */
    private boolean onADownShard(Counted counted) {
        return onAShard(counted) && ((StatefulRedisClusterConnection<byte[], byte[]>) pub).getPartitions()
                .getMasterBySlot(SlotHash.getSlot(bytes(counted.channel()))) == null;
    }

    private void scheduleRetry() {
        if (retryScheduled.compareAndSet(false, true)) {
            scheduler.schedule(() -> {
                retryScheduled.set(false);
                outage.resume();
                resendWhenResubscribed(System.nanoTime() + RESUBSCRIBE_WAIT.toNanos());
            }, 500, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Sends what is held, in order, as far as there is room for it (see {@link #admit}; the rest waits for room);
     * what is published meanwhile is held behind it and sent next. After a failed send the rest of its lane waits for
     * the retry ({@link OutageBuffer#pause}), rather than this spinning on a connection that fails every command at
     * once; the other lanes (a Redis Cluster's other slots) are sent. Runs on the scheduler only.
     */
    private void resendHeld() {
        while (isConnected()) {
            int room = commandQueueSize - inFlight.get();
            if (room <= 0) {
                // Even with nothing held now: a publish may be held behind what this run sent until it finds none.
                awaitRoom();
                return;
            }
            List<OutageBuffer.Held> batch = outage.drain(room);
            if (batch.isEmpty()) {
                return;
            }
            for (int i = 0; i < batch.size(); i++) {
                OutageBuffer.Held held = batch.get(i);
                if (!admit()) {
                    // Room taken meanwhile by a request or a response, which never wait: this one and all after it
                    // go back to their places, or one after it could go out first as soon as an answer frees room.
                    batch.subList(i, batch.size()).forEach(outage::holdAgain);
                    awaitRoom();
                    return;
                }
                if (held.isRequest()) {
                    send(held.outgoing(), null).whenComplete((sent, failure) -> {
                        if (failure == null) {
                            held.request().complete(null);
                        } else {
                            held.request().completeExceptionally(failure);
                        }
                    });
                } else {
                    send(held.outgoing(), () -> outage.holdAgain(held));
                }
            }
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        closing = true;
        if (topology != null) {
            topology.close();
        }
        int unsent = outage.dropAll("the link closed before Redis was back");
        if (unsent > 0) {
            log.warn("{} broadcasts held during the Redis outage were never sent: the link closed first", unsent);
        }
        try {
            scheduler.submit(pub::flushCommands).await(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        work.close();
        sub.close();
        pub.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        RedisConnector.releaseResources(client.getResources(), lentLoops);
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    static List<byte[]> allBytes(String... texts) {
        return Arrays.stream(texts).map(RedisLink::bytes).toList();
    }
}
