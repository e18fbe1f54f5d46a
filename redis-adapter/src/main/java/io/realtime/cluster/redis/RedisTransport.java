package io.realtime.cluster.redis;

import io.realtime.cluster.ClusterObserver;
import io.realtime.cluster.ClusterStats;
import io.realtime.cluster.RedisAdapterOptions;
import io.realtime.cluster.SharedKeys;
import io.realtime.cluster.core.ClusterTransport;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

/** What the Redis transports share: the link, outside channels, the scheduler. */
public abstract class RedisTransport implements ClusterTransport {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    protected final RedisLink link;
    protected final RedisAdapterOptions options;

    protected RedisTransport(RedisLink link, RedisAdapterOptions options) {
        this.link = link;
        this.options = options;
    }

    /** Connects the transport {@code options} name; fails (with the reason) when Redis cannot be reached now. */
    public static RedisTransport connect(RedisAdapterOptions options, ClusterObserver observer) {
        RedisLink link = RedisLink.connect(options, new ClusterStats(options.transport().wireName()), observer);
        return switch (options.transport()) {
            case CLASSIC -> new ClassicTransport(link, options);
            case SHARDED -> new ShardedTransport(link, options);
            case STREAMS -> new StreamsTransport(link, options);
        };
    }

    @Override
    public void subscribeExternal(String channel, Consumer<String> handler) {
        link.subscribe(List.of(channel), (name, message) -> handler.accept(new String(message, StandardCharsets.UTF_8)));
    }

    @Override
    public Optional<SharedKeys> sharedKeys() {
        return Optional.of(new SharedKeys() {
            @Override
            public CompletionStage<String> get(String key) {
                return link.get(key);
            }

            @Override
            public CompletionStage<Void> set(String key, String value, Duration ttl) {
                return link.setPx(key, value, ttl);
            }
        });
    }

    @Override
    public boolean isConnected() {
        return link.isConnected();
    }

    @Override
    public ClusterStats stats() {
        return link.stats();
    }

    /** As the link's own handlers' failures: counted, the first of each kind logged at ERROR. */
    @Override
    public void handlerFailed(String what, RuntimeException failure) {
        link.handlerFailures().report(what, failure);
    }

    @Override
    public ScheduledExecutorService scheduler() {
        return link.scheduler();
    }

    @Override
    public io.realtime.cluster.core.ClusterWork work() {
        return link.work();
    }

    @Override
    public void close() {
        link.close();
    }

    static String randomAlphanumeric(int length) {
        char[] id = new char[length];
        for (int i = 0; i < length; i++) {
            id[i] = ALPHANUMERIC[RANDOM.nextInt(ALPHANUMERIC.length)];
        }
        return new String(id);
    }

    static String randomHex(int bytes) {
        byte[] random = new byte[bytes];
        RANDOM.nextBytes(random);
        return java.util.HexFormat.of().formatHex(random);
    }
}
