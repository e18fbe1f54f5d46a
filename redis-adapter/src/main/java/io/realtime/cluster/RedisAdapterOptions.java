package io.realtime.cluster;

import java.time.Duration;
import java.util.Objects;

/**
 * Options of the Redis adapter; immutable, built with {@link #builder(String)}.
 *
 * @param redisUri               a lettuce URI: {@code redis://}, {@code rediss://} (TLS), password or ACL user,
 *                               {@code redis-sentinel://}
 * @param key                    channel prefix ({@code socket.io}, as Node's adapter)
 * @param requestTimeout         how long cluster requests wait for answers ({@code requestsTimeout}, 5 s)
 * @param publishOnSpecificResponseChannel answer requests on the asker's own response channel
 * @param outageBufferSize       broadcasts kept while Redis is unreachable, sent when it is back
 * @param outageBufferAge        how old a kept broadcast may be and still be sent
 * @param transport              the Redis protocol ({@link TransportKind#CLASSIC} by default)
 * @param subscriptionMode       how the sharded transport subscribes ({@link SubscriptionMode#DYNAMIC} by default)
 */
public record RedisAdapterOptions(
        String redisUri,
        String key,
        Duration requestTimeout,
        boolean publishOnSpecificResponseChannel,
        int outageBufferSize,
        Duration outageBufferAge,
        TransportKind transport,
        SubscriptionMode subscriptionMode) {

    public RedisAdapterOptions {
        Objects.requireNonNull(redisUri, "redisUri");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(subscriptionMode, "subscriptionMode");
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("requestTimeout must be positive");
        }
        if (outageBufferSize < 0 || outageBufferAge.isNegative()) {
            throw new IllegalArgumentException("outage buffer bounds must not be negative");
        }
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

        public RedisAdapterOptions build() {
            return new RedisAdapterOptions(redisUri, key, requestTimeout, publishOnSpecificResponseChannel,
                    outageBufferSize, outageBufferAge, transport, subscriptionMode);
        }
    }
}
