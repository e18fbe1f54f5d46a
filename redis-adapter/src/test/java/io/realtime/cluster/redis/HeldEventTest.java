package io.realtime.cluster.redis;

import io.realtime.cluster.ClusterObserver;
import io.realtime.cluster.RedisAdapterOptions;
import io.realtime.cluster.TransportKind;
import io.realtime.cluster.core.ClusterMessage.FetchSockets;
import io.realtime.cluster.core.ClusterMessage.ServerSideEmit;
import io.realtime.cluster.core.MessageType;
import io.realtime.cluster.core.NamespaceChannel;
import io.realtime.cluster.BroadcastOptions;
import io.realtime.cluster.testing.RedisFixture;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A server-side event without an answer published while Redis is away is held and sent when it is back, over every
 * transport (the streams transport sends it over pub/sub, as the others do); a request is refused at once.
 */
class HeldEventTest {

    @ParameterizedTest
    @EnumSource(TransportKind.class)
    void anEventWithoutAnswerIsHeldThroughAnOutageAndARequestIsRefused(TransportKind kind) throws Exception {
        try (RedisFixture redis = RedisFixture.ownServer()) {
            String key = "held-" + UUID.randomUUID();
            RedisAdapterOptions options = RedisAdapterOptions.builder(redis.uri()).key(key).transport(kind)
                    .requestTimeout(Duration.ofSeconds(2))
                    .streams(new RedisAdapterOptions.StreamOptions(key, 1, 10_000, 100, key + ":session:"))
                    .build();
            RedisTransport sending = RedisTransport.connect(options, ClusterObserver.NONE);
            RedisTransport receiving = RedisTransport.connect(options, ClusterObserver.NONE);
            try {
                StreamRecorder heard = new StreamRecorder();
                NamespaceChannel from = sending.open("/", new StreamRecorder());
                receiving.open("/", heard);
                await().atMost(Duration.ofSeconds(5)).until(() -> from.serverCount().toCompletableFuture().join() == 2);

                redis.stop();
                await().atMost(Duration.ofSeconds(5)).until(() -> !sending.isConnected());
                from.publish(new ServerSideEmit(from.uid(), null, List.of("event", 1))).toCompletableFuture()
                        .get(1, TimeUnit.SECONDS);
                assertThat(from.publish(new FetchSockets(from.uid(), "request-1", BroadcastOptions.ALL)).toCompletableFuture())
                        .as("a request is refused at once").failsWithin(Duration.ofSeconds(1));
                assertThat(sending.stats().buffered()).isEqualTo(1);
                redis.restart();

                await().atMost(Duration.ofSeconds(15)).until(() -> heard.received.stream()
                        .anyMatch(r -> r.message().type() == MessageType.SERVER_SIDE_EMIT));
                assertThat(heard.received).filteredOn(r -> r.message().type() == MessageType.SERVER_SIDE_EMIT)
                        .singleElement().satisfies(r -> assertThat(((ServerSideEmit) r.message()).data()).containsExactly("event", 1));
            } finally {
                sending.close();
                receiving.close();
            }
        }
    }
}
