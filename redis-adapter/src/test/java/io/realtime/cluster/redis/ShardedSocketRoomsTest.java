package io.realtime.cluster.redis;

import io.realtime.cluster.ClusterObserver;
import io.realtime.cluster.RedisAdapterOptions;
import io.realtime.cluster.TransportKind;
import io.realtime.cluster.core.NamespaceChannel;
import io.realtime.cluster.testing.RedisFixture;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sharded transport in {@code dynamic} mode and sockets' own rooms: a Node node sends to a room of socket.io's 20
 * characters on the namespace channel, to any other on the room's own channel, so a socket whose id is a UUID (stock
 * netty-socketio) needs that channel.
 */
class ShardedSocketRoomsTest {

    @Test
    void aSocketRoomIsSubscribedOnlyWhenNodeWouldSendToItsOwnChannel() {
        RedisFixture redis = RedisFixture.shared();
        String key = "sharded-rooms-" + UUID.randomUUID();
        RedisTransport transport = RedisTransport.connect(RedisAdapterOptions.builder(redis.uri()).key(key)
                .transport(TransportKind.SHARDED).build(), ClusterObserver.NONE);
        try {
            NamespaceChannel channel = transport.open("/", new LostCounter());
            String uuid = UUID.randomUUID().toString();
            String socketIoId = "AbCdEfGhIjKlMnOpQrSt";
            channel.roomCreated(uuid, true);
            channel.roomCreated(socketIoId, true);

            await().atMost(Duration.ofSeconds(5)).until(() -> redis.shardSubscribers(key + "#/#" + uuid + "#") == 1);
            assertThat(redis.shardSubscribers(key + "#/#" + socketIoId + "#")).isZero();

            channel.roomDeleted(uuid, true);
            await().atMost(Duration.ofSeconds(5)).until(() -> redis.shardSubscribers(key + "#/#" + uuid + "#") == 0);
        } finally {
            transport.close();
        }
    }
}
