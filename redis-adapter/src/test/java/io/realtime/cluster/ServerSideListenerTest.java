package io.realtime.cluster;

import io.realtime.cluster.testing.FakeSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.List;
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

    private final RedisTestNodes nodes = new RedisTestNodes("listeners", REQUEST_TIMEOUT);
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void close() throws Exception {
        release.countDown();
        nodes.close();
    }

    @ParameterizedTest
    @EnumSource(TransportKind.class)
    void aListenerThatWaitsForAClusterRequestGetsItsAnswersAndHoldsUpNoBroadcast(TransportKind kind) throws Exception {
        RedisTestNodes.Node a = nodes.node(kind);
        RedisTestNodes.Node b = nodes.node(kind);
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
