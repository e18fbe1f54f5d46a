package io.realtime.gateway.config;

import io.realtime.cluster.RedisAdapterOptions;
import io.realtime.cluster.SubscriptionMode;
import io.realtime.cluster.TransportKind;

import java.time.Duration;
import java.util.Optional;

/**
 * How the node joins the cluster when {@code REDIS_URL} is set.
 *
 * @param key              channel prefix in Redis, and the stream's name on the streams transport ({@code REDIS_KEY},
 *                         default {@code socket.io})
 * @param requestTimeout   how long cluster requests wait for every node (default 5 s)
 * @param outageBufferSize broadcasts held while Redis is unreachable (default 10000)
 * @param outageBufferAge  how long a held broadcast may wait and still be sent (default 30 s)
 * @param transport        how nodes reach each other through Redis ({@code REDIS_ADAPTER}, default classic)
 * @param subscriptionMode the sharded transport's channels ({@code REDIS_SUBSCRIPTION_MODE}, default dynamic)
 * @param streamMaxLen     the streams transport's {@code MAXLEN ~} ({@code REDIS_STREAM_MAX_LEN}, default 10000, as
 *                         {@code @socket.io/redis-streams-adapter}'s {@code maxLen})
 * @param sentinelPassword the Sentinels' own password ({@code REDIS_SENTINEL_PASSWORD}, default none)
 * @param commandQueueSize commands one Redis connection may have waiting ({@code REDIS_COMMAND_QUEUE_SIZE}, default
 *                         65536: memory stays bounded while Redis is slow)
 */
public record ClusterSettings(String key, Duration requestTimeout, int outageBufferSize, Duration outageBufferAge,
                              TransportKind transport, SubscriptionMode subscriptionMode, long streamMaxLen,
                              Optional<String> sentinelPassword, int commandQueueSize) {

    public static final ClusterSettings DEFAULTS = new ClusterSettings("socket.io", Duration.ofSeconds(5), 10_000,
            Duration.ofSeconds(30), TransportKind.CLASSIC, SubscriptionMode.DYNAMIC, 10_000, Optional.empty(),
            RedisAdapterOptions.DEFAULT_COMMAND_QUEUE_SIZE);

    /**
     * The streams transport's options: the key names the stream too, and the kept sessions' keys ({@code
     * <key>:session:<pid>}), so that two clusters on one Redis stay apart on this transport as on the others. With
     * the default key both are {@code @socket.io/redis-streams-adapter}'s own defaults ({@code socket.io}, {@code
     * sio:session:}), so Node.js nodes join without options.
     */
    public RedisAdapterOptions.StreamOptions streamOptions() {
        RedisAdapterOptions.StreamOptions nodeDefaults = RedisAdapterOptions.StreamOptions.DEFAULTS;
        String sessionKeyPrefix = key.equals(DEFAULTS.key()) ? nodeDefaults.sessionKeyPrefix() : key + ":session:";
        return new RedisAdapterOptions.StreamOptions(key, nodeDefaults.streamCount(), streamMaxLen, nodeDefaults.readCount(),
                sessionKeyPrefix);
    }

    public ClusterSettings {
        if (streamMaxLen < 1) {
            throw new IllegalArgumentException("streamMaxLen must be at least 1");
        }
        if (commandQueueSize < 1) {
            throw new IllegalArgumentException("commandQueueSize must be at least 1");
        }
    }
}
