package io.realtime.cluster;

import io.realtime.cluster.testing.FakeSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ConcurrentModificationException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * fetchSockets reads a socket's data on another thread than the application's: it answers with a copy of what the
 * data was, and a data map the application changes meanwhile costs the asker nothing.
 */
class SocketDataSnapshotTest {

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(3);

    private final RedisTestNodes nodes = new RedisTestNodes("socket-data", REQUEST_TIMEOUT);

    /** A map whose first walk fails as a HashMap's does when another thread changes it meanwhile. */
    private static final class ChangedWhileWalkedMap extends LinkedHashMap<String, Object> {
        final AtomicInteger failuresLeft = new AtomicInteger(1);

        private void walked() {
            if (failuresLeft.getAndDecrement() > 0) {
                throw new ConcurrentModificationException();
            }
        }

        @Override
        public Set<Map.Entry<String, Object>> entrySet() {
            walked();
            return super.entrySet();
        }

        @Override
        public void forEach(BiConsumer<? super String, ? super Object> action) {
            walked();
            super.forEach(action);
        }
    }

    @AfterEach
    void close() throws Exception {
        nodes.close();
    }

    @Test
    void dataChangedWhileAnotherNodeAsksIsAnsweredNotLeftToTimeOut() {
        RedisTestNodes.Node asker = nodes.node(TransportKind.CLASSIC);
        RedisTestNodes.Node holder = nodes.node(TransportKind.CLASSIC);
        await().atMost(Duration.ofSeconds(5)).until(() -> asker.ops().serverCount().toCompletableFuture().join() == 2);
        FakeSocket socket = FakeSocket.connect(holder.namespace());
        ChangedWhileWalkedMap data = new ChangedWhileWalkedMap();
        data.put("n", 1);
        socket.set(LocalAdapter.SOCKET_DATA_KEY, data);

        List<SocketDetails> found = asker.ops().fetchSockets().toCompletableFuture().join();

        assertThat(found).singleElement().satisfies(details -> {
            assertThat(details.id()).isEqualTo(socket.id());
            assertThat(details.data()).isEqualTo(Map.of("n", 1));
        });
        assertThat(data.failuresLeft).as("the walk that failed was taken again").hasNegativeValue();
    }

    @Test
    void theDetailsHoldWhatTheDataWasNotTheApplicationsLiveObjects() {
        RedisTestNodes.Node node = nodes.node(TransportKind.CLASSIC);
        FakeSocket socket = FakeSocket.connect(node.namespace());
        Map<String, Object> nested = new HashMap<>(Map.of("level", 1));
        Map<String, Object> data = new HashMap<>(Map.of("profile", nested));
        socket.set(LocalAdapter.SOCKET_DATA_KEY, data);

        SocketDetails details = node.ops().local().fetchSockets().toCompletableFuture().join().get(0);
        data.put("later", true);
        nested.put("level", 2);

        assertThat(details.data()).isEqualTo(Map.of("profile", Map.of("level", 1)));
    }
}
