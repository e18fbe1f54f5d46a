package io.realtime.cluster.redis;

import io.realtime.cluster.ClusterObserver;
import io.realtime.cluster.ClusterStats;
import io.realtime.cluster.ClusterUnavailableException;
import io.realtime.cluster.RedisAdapterOptions;
import io.realtime.cluster.testing.RedisFixture;
import org.junit.jupiter.api.Test;

import java.time.Duration;

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
}
