package io.realtime.cluster;

import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.namespace.Namespace;
import io.realtime.cluster.core.ClusterCoreAdapter;
import io.realtime.cluster.redis.RedisTransport;
import io.realtime.cluster.testing.FakeSocket;
import io.realtime.cluster.testing.RedisFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * An argument the wire cannot carry fails its caller at once, before anything of the message is delivered here or
 * elsewhere; a request that was never sent is not counted as timed out.
 */
class UnencodableMessageTest {

    private static final Duration REQUEST_TIMEOUT = Duration.ofMillis(300);

    private final String key = "unencodable-" + UUID.randomUUID();
    private final List<AutoCloseable> opened = new ArrayList<>();

    /** A value whose property cannot be read: no encoder can write it. */
    public static final class Unwritable {
        public String getValue() {
            throw new IllegalStateException("cannot be read");
        }
    }

    private record Node(Namespace namespace, RedisTransport transport, ClusterNamespace ops) {
    }

    private Node node(TransportKind kind) {
        RedisAdapterOptions options = RedisAdapterOptions.builder(RedisFixture.shared().uri()).key(key).transport(kind)
                .requestTimeout(REQUEST_TIMEOUT)
                .streams(new RedisAdapterOptions.StreamOptions(key, 1, 10_000, 100, key + ":session:"))
                .build();
        RedisTransport transport = RedisTransport.connect(options, ClusterObserver.NONE);
        opened.add(transport);
        Namespace namespace = new Namespace("/", new Configuration());
        ClusterCoreAdapter adapter = new ClusterCoreAdapter(namespace, transport, REQUEST_TIMEOUT, ClusterObserver.NONE, null);
        opened.add(0, adapter::close);
        transport.awaitOpened();
        return new Node(namespace, transport, new ClusterNamespace(adapter, BroadcastOptions.ALL, ClusterObserver.NONE,
                transport.scheduler()));
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable closeable : opened) {
            closeable.close();
        }
        RedisFixture.command(RedisFixture.shared().host(), RedisFixture.shared().port(), "DEL", key);
    }

    @ParameterizedTest
    @EnumSource(TransportKind.class)
    void anUnencodableMessageFailsItsCallerAndIsNeitherDeliveredNorLeftToTimeOut(TransportKind kind) throws Exception {
        Node a = node(kind);
        Node b = node(kind);
        FakeSocket here = FakeSocket.connect(a.namespace());
        FakeSocket there = FakeSocket.connect(b.namespace());
        await().atMost(Duration.ofSeconds(5)).until(() -> a.ops().serverCount().toCompletableFuture().join() == 2);

        assertThatThrownBy(() -> a.ops().serverSideEmitWithAck("ask", new Unwritable()).toCompletableFuture().join())
                .hasRootCauseMessage("cannot be read")
                .cause().isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> a.ops().emit("event", new Unwritable())).isInstanceOf(IllegalArgumentException.class);

        // Well past the request's timeout.
        await().during(REQUEST_TIMEOUT.multipliedBy(3)).atMost(REQUEST_TIMEOUT.multipliedBy(6))
                .until(() -> a.transport().stats().requestTimeouts() == 0);
        assertThat(a.transport().stats().requestFailures()).as("not a failure of the cluster").isZero();
        // The broadcast that could not be encoded reached nobody: the next one is the first each socket gets.
        a.ops().emit("next");
        assertThat(here.next().event()).isEqualTo("next");
        assertThat(there.next().event()).isEqualTo("next");
    }
}
