package io.realtime.cluster;

import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.namespace.Namespace;
import io.realtime.cluster.core.ClusterCoreAdapter;
import io.realtime.cluster.core.ClusterMessage.AllRooms;
import io.realtime.cluster.core.ClusterMessage.FetchSockets;
import io.realtime.cluster.core.ClusterMessage.SocketIds;
import io.realtime.cluster.testing.FakeSocket;
import io.realtime.cluster.testing.InMemoryTransport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Other nodes' requests that walk this node's sockets are answered on the transport's executor, never on the thread
 * that delivers the cluster's messages, and only a few at a time.
 */
class ClusterRequestAnswersTest {

    private static final int BOUND = io.realtime.cluster.core.ClusterWork.QUEUE_CAPACITY;
    private static final int SENT = BOUND + 2;

    private InMemoryTransport.Bus bus;
    private ClusterCoreAdapter asker;
    private ClusterCoreAdapter answerer;
    private InMemoryTransport answering;
    private CountDownLatch executorFree;

    @BeforeEach
    void start() {
        bus = new InMemoryTransport.Bus();
        asker = new ClusterCoreAdapter(new Namespace("/chat", new Configuration()), new InMemoryTransport(bus),
                Duration.ofSeconds(1), ClusterObserver.NONE, null);
        Namespace namespace = new Namespace("/chat", new Configuration());
        answering = new InMemoryTransport(bus);
        answerer = new ClusterCoreAdapter(namespace, answering, Duration.ofSeconds(1), ClusterObserver.NONE, null);
        FakeSocket.connect(namespace).joinRoom("r");
        executorFree = new CountDownLatch(1);
    }

    @AfterEach
    void stop() {
        executorFree.countDown();
        asker.close();
        answerer.close();
        bus.close();
    }

    /** Keeps the transport's executor busy until the test lets it go, as a long answer would. */
    private void occupyExecutor() throws InterruptedException {
        CountDownLatch started = new CountDownLatch(1);
        answering.work().execute(() -> {
            started.countDown();
            try {
                executorFree.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void requestsAreAnsweredOnTheExecutorAndThoseBeyondTheBoundAreRefusedAndCounted() throws InterruptedException {
        ClusterStats stats = answering.stats();
        occupyExecutor();
        long publishedBefore = stats.published();
        String from = asker.uid();

        // Delivered here on the test's thread, as the Redis link delivers on its I/O thread.
        for (int i = 0; i < SENT; i++) {
            answerer.onMessage(switch (i % 3) {
                case 0 -> new FetchSockets(from, "fetch-" + i, BroadcastOptions.ALL);
                case 1 -> new SocketIds(from, "ids-" + i, Set.of("r"));
                default -> new AllRooms(from, "rooms-" + i);
            });
        }

        assertThat(stats.published()).as("nothing answered on the delivering thread").isEqualTo(publishedBefore);
        assertThat(stats.workQueued()).as("the task holding the thread, and the answers queued behind it").isEqualTo(BOUND + 1);
        assertThat(stats.requestsRefused()).isEqualTo(SENT - BOUND);

        executorFree.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> stats.workQueued() == 0);
        assertThat(stats.published()).isEqualTo(publishedBefore + BOUND);
        assertThat(stats.requestsRefused()).isEqualTo(SENT - BOUND);
    }

    @Test
    void anAskerStillGetsEveryAnswerWhenTheBoundIsNotReached() {
        ClusterNamespace ops = new ClusterNamespace(asker, BroadcastOptions.ALL, ClusterObserver.NONE, answering.scheduler());

        assertThat(ops.in("r").fetchSockets().toCompletableFuture().orTimeout(5, TimeUnit.SECONDS).join()).hasSize(1);
        assertThat(asker.allRooms().toCompletableFuture().orTimeout(5, TimeUnit.SECONDS).join()).contains("r");
        assertThat(answering.stats().requestsRefused()).isZero();
        await().atMost(Duration.ofSeconds(5)).until(() -> answering.stats().workQueued() == 0);
    }
}
