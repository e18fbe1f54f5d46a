package io.realtime.cluster.redis;

import io.realtime.cluster.ClusterObserver;
import io.realtime.cluster.RedisAdapterOptions;
import io.realtime.cluster.TransportKind;
import io.realtime.cluster.testing.RedisFixture;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A namespace channel closed while its node's Redis link stays: nothing of it is left on the link. */
class ChannelCloseTest {

    @ParameterizedTest
    @EnumSource(TransportKind.class)
    void aClosedChannelIsNoLongerToldOfALostConnection(TransportKind kind) {
        try (RedisFixture redis = RedisFixture.ownServer()) {
            RedisTransport transport = RedisTransport.connect(RedisAdapterOptions.builder(redis.uri()).transport(kind)
                    .requestTimeout(Duration.ofSeconds(2)).build(), ClusterObserver.NONE);
            try {
                LostCounter open = new LostCounter();
                LostCounter closed = new LostCounter();
                transport.open("/open", open);
                transport.open("/closed", closed).close();

                redis.stop();

                await().atMost(Duration.ofSeconds(5)).until(() -> open.lost() == 1);
                assertThat(closed.lost()).isZero();
            } finally {
                transport.close();
            }
        }
    }
}
