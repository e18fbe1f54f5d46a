package io.realtime.cluster;

import io.netty.channel.EventLoopGroup;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Options of the Redis adapter; immutable, built with {@link #builder(String)}.
 *
 * @param redisUri               a lettuce URI ({@code redis://}, {@code rediss://} (TLS), password or ACL user,
 *                               {@code redis-sentinel://}) or a Redis Cluster seed list ({@link RedisUris})
 * @param key                    channel prefix ({@code socket.io}, as Node's adapter)
 * @param requestTimeout         how long cluster requests wait for answers ({@code requestsTimeout}, 5 s), and each
 *                               Redis command for its answer. A broadcast whose publish timed out on a single
 *                               Redis's connection that stayed up is not sent again: it was written, and a Redis that
 *                               is only slow runs it when it catches up (a copy would arrive too); one that never got
 *                               there is lost, at most once as with Node's adapter
 *                               ({@link ClusterStats#publishesUnconfirmed}). On a Redis Cluster it is sent again (a
 *                               timeout there most often being a primary gone, whose slots a failover moves)
 * @param publishOnSpecificResponseChannel answer requests on the asker's own response channel
 * @param outageBufferSize       broadcasts (and stream appends) kept while Redis is unreachable, sent when it is
 *                               back, in publish order;
 *                               also those whose publish failed unrun or most likely so (refused, an error answer,
 *                               their connection dropped before Redis answered: sent again at their place, so one
 *                               whose answer alone was lost arrives twice)
 * @param outageBufferAge        how old a kept broadcast may be and still be sent
 * @param transport              the Redis protocol ({@link TransportKind#CLASSIC} by default)
 * @param subscriptionMode       how the sharded transport subscribes ({@link SubscriptionMode#DYNAMIC} by default)
 * @param streams                the streams transport's stream and session keys ({@link StreamOptions#DEFAULTS})
 * @param eventLoops             the application's own Netty event loops to read and write Redis on, instead of
 *                               lettuce's I/O threads (none by default): a broadcast read from Redis is then written
 *                               to the sockets of the loop that read it without a hand-over to another thread. The
 *                               application owns the group and shuts it down after closing the cluster (lettuce's
 *                               executor and timer stop when it terminates); it must be of the transport lettuce
 *                               uses here (epoll where available, else NIO), and nothing may wait on those loops
 *                               for a Redis answer (the loop waiting would be the one to read it).
 * @param sentinelPassword       the password of the Sentinels themselves ({@code requirepass} in sentinel.conf;
 *                               none by default): lettuce gives a {@code redis-sentinel://} URI's credentials to the
 *                               primary only, as ioredis's {@code sentinelPassword} is apart from its
 *                               {@code password}
 * @param clientName             the name each Redis connection gives itself ({@code CLIENT SETNAME}; none by default),
 *                               so that {@code CLIENT LIST} tells which node holds which connection; no spaces
 * @param commandQueueSize       how many commands one Redis connection keeps at most, waiting to be written or for
 *                               their answers ({@value #DEFAULT_COMMAND_QUEUE_SIZE} by default; lettuce's
 *                               {@code requestQueueSize}, unbounded of its own): while Redis is slow they would
 *                               otherwise pile up in memory without end. A broadcast beyond it is held as during
 *                               an outage and sent, in publish order, as Redis answers (a stream append too), a
 *                               request fails at once and a response is lost (its asker times out)
 */
public record RedisAdapterOptions(
        String redisUri,
        String key,
        Duration requestTimeout,
        boolean publishOnSpecificResponseChannel,
        int outageBufferSize,
        Duration outageBufferAge,
        TransportKind transport,
        SubscriptionMode subscriptionMode,
        StreamOptions streams,
        Optional<EventLoopGroup> eventLoops,
        Optional<String> sentinelPassword,
        Optional<String> clientName,
        int commandQueueSize) {

    /**
     * Above any burst a node writes between two flushes, so only a Redis that is slow or away fills it; then this many
     * messages per connection are what waits in memory (the outage buffer's beside them).
     */
    public static final int DEFAULT_COMMAND_QUEUE_SIZE = 65_536;

    /**
     * The options of {@code @socket.io/redis-streams-adapter}, with its defaults.
     *
     * @param streamName       the stream ({@code socket.io})
     * @param streamCount      how many streams the namespaces are spread over by hash (1)
     * @param maxLen           {@code MAXLEN ~} of each {@code XADD} (10 000): how far back a session can be recovered
     * @param readCount        entries one {@code XREAD} returns at most (100)
     * @param sessionKeyPrefix the key of a kept session before its pid ({@code sio:session:})
     */
    public record StreamOptions(String streamName, int streamCount, long maxLen, int readCount, String sessionKeyPrefix) {

        public static final StreamOptions DEFAULTS = new StreamOptions("socket.io", 1, 10_000, 100, "sio:session:");

        public StreamOptions {
            Objects.requireNonNull(streamName, "streamName");
            Objects.requireNonNull(sessionKeyPrefix, "sessionKeyPrefix");
            if (streamCount < 1 || maxLen < 1 || readCount < 1) {
                throw new IllegalArgumentException("streamCount, maxLen and readCount must be at least 1");
            }
        }

        public StreamOptions withMaxLen(long value) {
            return new StreamOptions(streamName, streamCount, value, readCount, sessionKeyPrefix);
        }
    }

    public String streamName() {
        return streams.streamName();
    }

    public int streamCount() {
        return streams.streamCount();
    }

    public long streamMaxLen() {
        return streams.maxLen();
    }

    public int streamReadCount() {
        return streams.readCount();
    }

    public String sessionKeyPrefix() {
        return streams.sessionKeyPrefix();
    }

    public RedisAdapterOptions {
        Objects.requireNonNull(redisUri, "redisUri");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(subscriptionMode, "subscriptionMode");
        Objects.requireNonNull(streams, "streams");
        Objects.requireNonNull(eventLoops, "eventLoops");
        Objects.requireNonNull(sentinelPassword, "sentinelPassword");
        Objects.requireNonNull(clientName, "clientName");
        if (clientName.filter(name -> name.isEmpty() || !name.chars().allMatch(c -> c > ' ' && c < 127)).isPresent()) {
            throw new IllegalArgumentException("clientName: printable ASCII without spaces, as Redis takes it: '" + clientName.get() + "'");
        }
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(outageBufferAge, "outageBufferAge");
        checkUri(redisUri);
        if (sentinelPassword.isPresent() && !RedisUris.isSentinel(redisUri)) {
            throw new IllegalArgumentException("sentinelPassword: only a redis-sentinel:// URI has Sentinels");
        }
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("requestTimeout must be positive");
        }
        if (outageBufferSize < 0 || outageBufferAge.isNegative()) {
            throw new IllegalArgumentException("outage buffer bounds must not be negative");
        }
        if (commandQueueSize < 1) {
            throw new IllegalArgumentException("commandQueueSize must be at least 1");
        }
    }

    private static void checkUri(String redisUri) {
        try {
            RedisUris.check(redisUri);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("redisUri: " + e.getMessage());
        }
    }

    /** The options, with the password of {@link #redisUri} masked. */
    @Override
    public String toString() {
        return "RedisAdapterOptions[redisUri=" + RedisUris.masked(redisUri) + ", key=" + key + ", requestTimeout="
                + requestTimeout + ", publishOnSpecificResponseChannel=" + publishOnSpecificResponseChannel
                + ", outageBufferSize=" + outageBufferSize + ", outageBufferAge=" + outageBufferAge + ", transport="
                + transport + ", subscriptionMode=" + subscriptionMode + ", streams=" + streams + ", eventLoops="
                + eventLoops + ", sentinelPassword=" + sentinelPassword.map(password -> "****") + ", clientName="
                + clientName + ", commandQueueSize=" + commandQueueSize + "]";
    }

    public static Builder builder(String redisUri) {
        return new Builder(redisUri);
    }

    public static final class Builder {
        private final String redisUri;
        private String key = "socket.io";
        private Duration requestTimeout = Duration.ofSeconds(5);
        private boolean publishOnSpecificResponseChannel;
        private int outageBufferSize = 10_000;
        private Duration outageBufferAge = Duration.ofSeconds(30);
        private TransportKind transport = TransportKind.CLASSIC;
        private SubscriptionMode subscriptionMode = SubscriptionMode.DYNAMIC;
        private StreamOptions streams = StreamOptions.DEFAULTS;
        private EventLoopGroup eventLoops;
        private String sentinelPassword;
        private String clientName;
        private int commandQueueSize = DEFAULT_COMMAND_QUEUE_SIZE;

        private Builder(String redisUri) {
            this.redisUri = redisUri;
        }

        public Builder key(String value) {
            key = value;
            return this;
        }

        public Builder requestTimeout(Duration value) {
            requestTimeout = value;
            return this;
        }

        public Builder publishOnSpecificResponseChannel(boolean value) {
            publishOnSpecificResponseChannel = value;
            return this;
        }

        public Builder outageBuffer(int size, Duration age) {
            outageBufferSize = size;
            outageBufferAge = age;
            return this;
        }

        public Builder transport(TransportKind value) {
            transport = value;
            return this;
        }

        public Builder subscriptionMode(SubscriptionMode value) {
            subscriptionMode = value;
            return this;
        }

        public Builder streams(StreamOptions value) {
            streams = value;
            return this;
        }

        public Builder eventLoops(EventLoopGroup value) {
            eventLoops = value;
            return this;
        }

        /** The Sentinels' own password ({@code null}: they ask for none). */
        public Builder sentinelPassword(String value) {
            sentinelPassword = value;
            return this;
        }

        /** The name of each Redis connection ({@code null}: none). */
        public Builder clientName(String value) {
            clientName = value;
            return this;
        }

        /** The most commands one Redis connection keeps ({@link #DEFAULT_COMMAND_QUEUE_SIZE} by default). */
        public Builder commandQueueSize(int value) {
            commandQueueSize = value;
            return this;
        }

        public RedisAdapterOptions build() {
            return new RedisAdapterOptions(redisUri, key, requestTimeout, publishOnSpecificResponseChannel,
                    outageBufferSize, outageBufferAge, transport, subscriptionMode, streams, Optional.ofNullable(eventLoops),
                    Optional.ofNullable(sentinelPassword), Optional.ofNullable(clientName), commandQueueSize);
        }
    }
}
