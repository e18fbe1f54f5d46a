package io.realtime.cluster.redis;

import io.realtime.cluster.ClusterObserver;
import io.realtime.cluster.ClusterStats;
import io.realtime.cluster.ClusterUnavailableException;
import io.realtime.cluster.RedisAdapterOptions;
import io.realtime.cluster.testing.RedisFixture;
import io.realtime.cluster.testing.RedisSentinelProcesses;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A Redis that refuses the node says why, in the message an operator reads first. */
class RedisConnectorTest {

    private static RedisLink connect(String uri) {
        return RedisLink.connect(RedisAdapterOptions.builder(uri).requestTimeout(Duration.ofSeconds(2)).build(),
                new ClusterStats("test"), ClusterObserver.NONE);
    }

    @Test
    void aMissingOrWrongPasswordIsNamedWithoutTheWrongPassword() {
        try (RedisFixture redis = RedisFixture.ownServer()) {
            assertThat(RedisFixture.command(redis.host(), redis.port(), "CONFIG", "SET", "requirepass", "right-one")).isEqualTo("+OK");

            assertThatThrownBy(() -> connect(redis.uri()).close())
                    .isInstanceOf(ClusterUnavailableException.class)
                    .hasMessageContaining("cannot connect to Redis at 127.0.0.1:" + redis.port())
                    .hasMessageContaining("NOAUTH").hasMessageContaining("redis://user:password@host:port");
            String wrong = "redis://:wrong-one@127.0.0.1:" + redis.port();
            assertThatThrownBy(() -> connect(wrong).close())
                    .isInstanceOf(ClusterUnavailableException.class)
                    .hasMessageContaining("WRONGPASS").hasMessageNotContaining("wrong-one");
            try (RedisLink link = connect("redis://:right-one@127.0.0.1:" + redis.port())) {
                assertThat(link.isConnected()).isTrue();
            }
        }
    }

    /** lettuce may report a refused handshake as the close that follows it: one more attempt names the refusal. */
    @Test
    void aPrematureCloseIsTriedOnceMoreAndItsReasonReported() {
        RedisAdapterOptions options = RedisAdapterOptions.builder("redis://127.0.0.1:6379").build();
        java.util.concurrent.atomic.AtomicInteger attempts = new java.util.concurrent.atomic.AtomicInteger();
        assertThatThrownBy(() -> RedisConnector.connect(options, o -> {
            attempts.incrementAndGet();
            throw new ClusterUnavailableException(attempts.get() == 1
                    ? "cannot connect to Redis at 127.0.0.1:6379: " + RedisConnector.PREMATURE_CLOSE
                    : "cannot connect to Redis at 127.0.0.1:6379: WRONGPASS invalid username-password pair", null);
        })).hasMessageContaining("WRONGPASS");
        assertThat(attempts).hasValue(2);

        attempts.set(0);
        assertThatThrownBy(() -> RedisConnector.connect(options, o -> {
            attempts.incrementAndGet();
            throw new ClusterUnavailableException("cannot connect to Redis at 127.0.0.1:6379: Connection refused", null);
        })).hasMessageContaining("Connection refused");
        assertThat(attempts).as("any other failure is reported at once").hasValue(1);
    }

    @Test
    void sentinelsThatAskForAPasswordAreGivenTheirOwn() throws Exception {
        try (RedisSentinelProcesses sentinels = RedisSentinelProcesses.start("sentinel-secret")) {
            // The URI's password is the primary's: lettuce gives the Sentinels none of it.
            assertThatThrownBy(() -> connect(sentinels.uri()).close())
                    .isInstanceOf(ClusterUnavailableException.class)
                    .hasMessageContaining("NOAUTH").hasMessageContaining("sentinelPassword")
                    .hasMessageNotContaining("sentinel-secret");

            RedisAdapterOptions options = RedisAdapterOptions.builder(sentinels.uri()).sentinelPassword("sentinel-secret")
                    .requestTimeout(Duration.ofSeconds(2)).build();
            assertThat(options.toString()).doesNotContain("sentinel-secret");
            try (RedisLink link = RedisLink.connect(options, new ClusterStats("test"), ClusterObserver.NONE)) {
                link.publish(RedisLink.Mode.PLAIN, "any", new byte[] {1}, RedisLink.Delivery.NOW).toCompletableFuture()
                        .get(5, TimeUnit.SECONDS);
            }
        }
        assertThatThrownBy(() -> RedisAdapterOptions.builder("redis://h:6379").sentinelPassword("x").build())
                .hasMessageContaining("only a redis-sentinel:// URI has Sentinels");
    }

    @Test
    void everyConnectionCarriesTheNameItWasGiven() throws Exception {
        RedisFixture redis = RedisFixture.shared();
        RedisAdapterOptions options = RedisAdapterOptions.builder(redis.uri()).clientName("gateway:node-7")
                .transport(io.realtime.cluster.TransportKind.STREAMS).build();
        try (RedisLink link = RedisLink.connect(options, new ClusterStats("test"), ClusterObserver.NONE);
             RedisLink.BlockingReader reader = link.openBlockingReader()) {
            io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(redis.uri());
            try (var connection = client.connect()) {
                long named = connection.sync().clientList().lines().filter(line -> line.contains(" name=gateway:node-7 ")).count();
                assertThat(named).as("publisher, subscriber and stream reader").isEqualTo(3);
            } finally {
                client.shutdown();
            }
        }
        assertThatThrownBy(() -> RedisAdapterOptions.builder(redis.uri()).clientName("two words").build())
                .hasMessageContaining("clientName");
    }
}
