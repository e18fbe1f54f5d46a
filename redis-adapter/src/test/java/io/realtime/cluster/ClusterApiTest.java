package io.realtime.cluster;

import io.realtime.cluster.testing.InMemoryTransport;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What an application meets first: options refused with a reason, rooms named as socket.io takes them. */
class ClusterApiTest {

    @Test
    void badOptionsAreRefusedWhenBuiltWithWhatIsWrong() {
        assertThatThrownBy(() -> RedisAdapterOptions.builder("http://redis:6379").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("redisUri");
        assertThatThrownBy(() -> RedisAdapterOptions.builder("redis-cluster://").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one node");
        assertThatThrownBy(() -> RedisAdapterOptions.builder("redis://redis:6379").requestTimeout(null).build())
                .isInstanceOf(NullPointerException.class).hasMessageContaining("requestTimeout");
        assertThatThrownBy(() -> RedisAdapterOptions.builder("redis://redis:6379").outageBuffer(10, null).build())
                .isInstanceOf(NullPointerException.class).hasMessageContaining("outageBufferAge");
        assertThat(RedisAdapterOptions.builder("redis-cluster://a:7000,b:7001").build().requestTimeout())
                .isEqualTo(Duration.ofSeconds(5));
        assertThat(RedisAdapterOptions.builder("rediss://user:secret@redis:6380/0").build().key()).isEqualTo("socket.io");
    }

    private static int connectedClients(io.lettuce.core.api.sync.RedisCommands<String, String> redis) {
        java.util.regex.Matcher count = java.util.regex.Pattern.compile("connected_clients:(\\d+)").matcher(redis.info("clients"));
        assertThat(count.find()).isTrue();
        return Integer.parseInt(count.group(1));
    }

    @Test
    void aClusterThatCannotStartKeepsNoConnectionOpen() {
        try (io.realtime.cluster.testing.RedisFixture redis = io.realtime.cluster.testing.RedisFixture.ownServer()) {
            io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(redis.uri());
            try (var connection = client.connect()) {
                var commands = connection.sync();
                // The stream key holds a string: the streams transport cannot read it.
                commands.set("socket.io", "not a stream");
                int before = connectedClients(commands);
                com.corundumstudio.socketio.SocketIOServer server =
                        new com.corundumstudio.socketio.SocketIOServer(new com.corundumstudio.socketio.Configuration());
                RedisAdapterOptions options = RedisAdapterOptions.builder(redis.uri()).transport(TransportKind.STREAMS).build();

                assertThatThrownBy(() -> Cluster.redis(server, options)).isInstanceOf(RuntimeException.class);
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> connectedClients(commands) <= before);
            } finally {
                client.shutdown();
            }
        }
    }

    @Test
    void aClusterMadeAgainOnTheSameServerAfterACloseFollowsItsRooms() {
        io.realtime.cluster.testing.RedisFixture redis = io.realtime.cluster.testing.RedisFixture.shared();
        String key = "made-again-" + java.util.UUID.randomUUID();
        com.corundumstudio.socketio.SocketIOServer server =
                new com.corundumstudio.socketio.SocketIOServer(new com.corundumstudio.socketio.Configuration());
        // The sharded transport subscribes each room's channel: it needs the namespace's room events.
        RedisAdapterOptions options = RedisAdapterOptions.builder(redis.uri()).key(key).transport(TransportKind.SHARDED).build();
        Cluster first = Cluster.redis(server, options);
        first.of("/");
        first.close();

        try (Cluster second = Cluster.redis(server, options)) {
            second.of("/");
            var namespace = (com.corundumstudio.socketio.namespace.Namespace) server.getNamespace("");
            io.realtime.cluster.testing.FakeSocket socket = io.realtime.cluster.testing.FakeSocket.connect(namespace);
            namespace.joinRoom("room-a", socket.getSessionId());
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                    .until(() -> redis.shardSubscribers(key + "#/#room-a#") == 1);
        }
    }

    @Test
    void aRoomNamedTwiceCountsOnceAndInIsTo() {
        InMemoryTransport.Bus bus = new InMemoryTransport.Bus();
        try {
            InMemoryTransport transport = new InMemoryTransport(bus);
            var adapter = new io.realtime.cluster.core.ClusterCoreAdapter(
                    new com.corundumstudio.socketio.namespace.Namespace("/", new com.corundumstudio.socketio.Configuration()),
                    transport, Duration.ofSeconds(1), ClusterObserver.NONE, null);
            ClusterNamespace all = new ClusterNamespace(adapter, BroadcastOptions.ALL, ClusterObserver.NONE, transport.scheduler());
            assertThat(all.to("a", "a", "b").options().rooms()).containsExactlyInAnyOrder("a", "b");
            assertThat(all.in("a", "b").options().rooms()).containsExactlyInAnyOrder("a", "b");
            assertThat(all.except("x", "x").options().except()).containsExactly("x");
            assertThatThrownBy(() -> all.to("a", null)).isInstanceOf(NullPointerException.class);
            adapter.close();
        } finally {
            bus.close();
        }
    }
}
