package io.realtime.cluster;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;

/**
 * The node's two Redis connections (lettuce, asynchronous): one publishes and asks, one is subscribed. Shared by
 * every namespace's adapter. Publishing never blocks: commands are pipelined and flushed once per burst; while
 * Redis is unreachable broadcasts are held in a bounded buffer and sent when the connection is back (lettuce
 * reconnects and resubscribes by itself), and requests fail fast.
 */
public final class RedisLink implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisLink.class);
    private static final Duration RESUBSCRIBE_WAIT = Duration.ofSeconds(3);

    private final RedisClient client;
    private final StatefulRedisConnection<byte[], byte[]> pub;
    private final StatefulRedisPubSubConnection<byte[], byte[]> sub;
    private final Map<String, BiConsumer<String, byte[]>> patternHandlers = new ConcurrentHashMap<>();
    private final Map<String, BiConsumer<String, byte[]>> channelHandlers = new ConcurrentHashMap<>();
    private final List<Runnable> lostListeners = new CopyOnWriteArrayList<>();
    private final ClusterStats stats = new ClusterStats();
    private final OutageBuffer outage;
    private final AtomicBoolean connected = new AtomicBoolean(true);
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    private volatile boolean closing;
    /** The last server count seen on a request channel, to know when the others have resubscribed after an outage. */
    private volatile String countedChannel;
    private volatile int lastCount;
    private final ScheduledExecutorService scheduler;

    private final ClusterObserver observer;

    private RedisLink(RedisClient client, StatefulRedisConnection<byte[], byte[]> pub,
                      StatefulRedisPubSubConnection<byte[], byte[]> sub, RedisAdapterOptions options, ClusterObserver observer) {
        this.observer = observer;
        this.client = client;
        this.pub = pub;
        this.sub = sub;
        this.outage = new OutageBuffer(options.outageBufferSize(), options.outageBufferAge(), stats);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "cluster-link");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Connects to Redis; fails (with the reason) when it cannot be reached within the request timeout. */
    public static RedisLink connect(RedisAdapterOptions options, ClusterObserver observer) {
        RedisURI uri = RedisURI.create(options.redisUri());
        uri.setTimeout(options.requestTimeout());
        // Reconnect attempts back off from 100 ms to 2 s (lettuce's default grows to 30 s): the cluster must resume
        // within seconds of Redis coming back.
        ClientResources resources = ClientResources.builder()
                .reconnectDelay(Delay.fullJitter(Duration.ofMillis(100), Duration.ofSeconds(2), 100, TimeUnit.MILLISECONDS))
                .build();
        RedisClient client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(options.requestTimeout()))
                .build());
        try {
            StatefulRedisConnection<byte[], byte[]> pub = client.connect(ByteArrayCodec.INSTANCE);
            StatefulRedisPubSubConnection<byte[], byte[]> sub = client.connectPubSub(ByteArrayCodec.INSTANCE);
            RedisLink link = new RedisLink(client, pub, sub, options, observer);
            link.listen();
            return link;
        } catch (RuntimeException e) {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
            resources.shutdown(0, 1, TimeUnit.SECONDS);
            throw new ClusterUnavailableException("cannot connect to Redis at " + uri.toURI().getHost() + ": " + e.getMessage(), e);
        }
    }

    private void listen() {
        // Bursts of publishes are written together: one flush per burst instead of one per message.
        pub.setAutoFlushCommands(false);
        sub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(byte[] channel, byte[] message) {
                dispatch(channelHandlers.get(text(channel)), text(channel), message);
            }

            @Override
            public void message(byte[] pattern, byte[] channel, byte[] message) {
                dispatch(patternHandlers.get(text(pattern)), text(channel), message);
            }
        });
        pub.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
                if (connected.compareAndSet(false, true)) {
                    stats.reconnects.increment();
                    log.info("Redis connection is back ({}); {} held broadcasts to send", address, outage.size());
                    scheduler.execute(() -> resendWhenResubscribed(System.nanoTime() + RESUBSCRIBE_WAIT.toNanos()));
                }
            }

            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
                if (!closing && connected.compareAndSet(true, false)) {
                    log.warn("Redis connection lost; local delivery goes on, broadcasts are held until it is back");
                    lostListeners.forEach(Runnable::run);
                }
            }
        });
    }

    private void dispatch(BiConsumer<String, byte[]> handler, String channel, byte[] message) {
        stats.received.increment();
        if (handler == null) {
            return;
        }
        try {
            handler.accept(channel, message);
        } catch (RuntimeException e) {
            log.warn("ignoring a cluster message on {} that could not be handled: {}", channel, e.toString());
        }
    }

    public boolean isConnected() {
        return connected.get() && pub.isOpen();
    }

    public ClusterStats stats() {
        return stats;
    }

    /** Runs when the connection to Redis is lost (pending requests fail fast). */
    void onConnectionLost(Runnable listener) {
        lostListeners.add(listener);
    }

    void psubscribe(String pattern, BiConsumer<String, byte[]> handler) {
        patternHandlers.put(pattern, handler);
        sub.async().psubscribe(bytes(pattern));
    }

    void subscribe(List<String> channels, BiConsumer<String, byte[]> handler) {
        channels.forEach(channel -> channelHandlers.put(channel, handler));
        sub.async().subscribe(channels.stream().map(RedisLink::bytes).toArray(byte[][]::new));
    }

    void unsubscribe(String pattern, List<String> channels) {
        patternHandlers.remove(pattern);
        channels.forEach(channelHandlers::remove);
        if (sub.isOpen()) {
            sub.async().punsubscribe(bytes(pattern));
            sub.async().unsubscribe(channels.stream().map(RedisLink::bytes).toArray(byte[][]::new));
        }
    }

    /** Publishes a broadcast; held and sent later when Redis is unreachable. */
    void publish(String channel, byte[] message) {
        if (!isConnected()) {
            outage.hold(channel, message);
            return;
        }
        long started = System.nanoTime();
        pub.async().publish(bytes(channel), message).whenComplete((receivers, failure) -> {
            if (failure == null) {
                stats.published.increment();
                observer.published(System.nanoTime() - started);
            } else {
                stats.publishFailures.increment();
                outage.hold(channel, message);
            }
        });
        scheduleFlush();
    }

    /** Publishes a request or response: no holding, the caller learns of the failure. */
    CompletionStage<Void> publishNow(String channel, byte[] message) {
        if (!isConnected()) {
            return CompletableFuture.failedFuture(unavailable(null));
        }
        CompletionStage<Void> result = pub.async().publish(bytes(channel), message).thenAccept(receivers -> stats.published.increment());
        scheduleFlush();
        return result;
    }

    /** PUBSUB NUMSUB of one channel: how many connections are subscribed to it. */
    CompletionStage<Integer> subscriberCount(String channel) {
        return numsub(channel).thenApply(value -> {
            countedChannel = channel;
            lastCount = value;
            return value;
        });
    }

    private CompletionStage<Integer> numsub(String channel) {
        if (!isConnected()) {
            return CompletableFuture.failedFuture(unavailable(null));
        }
        CompletionStage<Integer> count = pub.async().pubsubNumsub(bytes(channel))
                .thenApply(counts -> counts.values().stream().mapToInt(Long::intValue).sum());
        scheduleFlush();
        return count;
    }

    ScheduledFuture<?> schedule(Runnable task, Duration delay) {
        return scheduler.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    static ClusterUnavailableException unavailable(Throwable cause) {
        return new ClusterUnavailableException("Redis is unreachable", cause);
    }

    private void scheduleFlush() {
        if (flushScheduled.compareAndSet(false, true)) {
            scheduler.execute(() -> {
                flushScheduled.set(false);
                pub.flushCommands();
            });
        }
    }

    /**
     * Pub/sub keeps nothing: held broadcasts are sent once the other nodes have resubscribed too (as many servers as
     * before the outage), or after a short wait for those that do not come back.
     */
    private void resendWhenResubscribed(long deadlineNanos) {
        String channel = countedChannel;
        int expected = lastCount;
        if (channel == null || expected <= 1 || System.nanoTime() > deadlineNanos) {
            resendHeld();
            return;
        }
        numsub(channel).whenComplete((count, failure) -> {
            if (failure == null && count >= expected) {
                scheduler.execute(this::resendHeld);
            } else {
                scheduler.schedule(() -> resendWhenResubscribed(deadlineNanos), 100, TimeUnit.MILLISECONDS);
            }
        });
    }

    private void resendHeld() {
        for (OutageBuffer.Held held : outage.drain()) {
            publish(held.channel(), held.message());
        }
    }

    @Override
    public void close() {
        closing = true;
        scheduler.execute(pub::flushCommands);
        scheduler.shutdown();
        try {
            scheduler.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sub.close();
        pub.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        client.getResources().shutdown(0, 2, TimeUnit.SECONDS);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
