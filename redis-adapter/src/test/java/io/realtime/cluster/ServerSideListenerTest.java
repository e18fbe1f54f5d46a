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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The application's listeners of other servers' events run off the thread that reads Redis, over every transport:
 * one that waits for a cluster request gets its answers, and one that is slow holds up no message to its node.
 */
class ServerSideListenerTest {

    /** Long enough that a listener run on the thread reading Redis would be seen waiting for it. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(4);

    private final String key = "listeners-" + UUID.randomUUID();
    private final List<AutoCloseable> opened = new ArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);

    private record Node(Namespace namespace, ClusterCoreAdapter adapter, ClusterNamespace ops) {
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
        return new Node(namespace, adapter, new ClusterNamespace(adapter, BroadcastOptions.ALL, ClusterObserver.NONE,
                transport.scheduler()));
    }

    @AfterEach
    void close() throws Exception {
        release.countDown();
        for (AutoCloseable closeable : opened) {
            closeable.close();
        }
        RedisFixture.command(RedisFixture.shared().host(), RedisFixture.shared().port(), "DEL", key);
    }

    @ParameterizedTest
    @EnumSource(TransportKind.class)
    void aListenerThatWaitsForAClusterRequestGetsItsAnswersAndHoldsUpNoBroadcast(TransportKind kind) throws Exception {
        Node a = node(kind);
        Node b = node(kind);
        FakeSocket onA = FakeSocket.connect(a.namespace());
        FakeSocket onB = FakeSocket.connect(b.namespace());
        await().atMost(Duration.ofSeconds(5)).until(() -> a.ops().serverCount().toCompletableFuture().join() == 2
                && b.ops().serverCount().toCompletableFuture().join() == 2);
        CompletableFuture<List<String>> fetched = new CompletableFuture<>();
        b.ops().onServerSideEmit("look", (args, ack) -> {
            try {
                // Its answer comes back on the connection that delivered this event.
                fetched.complete(b.ops().fetchSockets().toCompletableFuture().join().stream()
                        .map(SocketDetails::id).toList());
                // Then it is slow.
                release.await(10, TimeUnit.SECONDS);
            } catch (RuntimeException e) {
                fetched.completeExceptionally(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });

        a.ops().serverSideEmit("look");

        assertThat(fetched.get(REQUEST_TIMEOUT.toMillis() / 2, TimeUnit.MILLISECONDS))
                .containsExactlyInAnyOrder(onA.id(), onB.id());
        // Published after the event, while its listener still runs.
        a.ops().emit("after");
        assertThat(onB.next().event()).isEqualTo("after");
    }
}
