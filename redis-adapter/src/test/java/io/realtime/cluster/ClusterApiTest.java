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
