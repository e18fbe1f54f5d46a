package io.realtime.cluster;

import io.realtime.cluster.testing.FakeSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * An argument the wire cannot carry fails its caller at once, before anything of the message is delivered here or
 * elsewhere; a request that was never sent is not counted as timed out.
 */
class UnencodableMessageTest {

    private static final Duration REQUEST_TIMEOUT = Duration.ofMillis(300);

    private final RedisTestNodes nodes = new RedisTestNodes("unencodable", REQUEST_TIMEOUT);

    /** A value whose property cannot be read: no encoder can write it. */
    public static final class Unwritable {
        public String getValue() {
            throw new IllegalStateException("cannot be read");
        }
    }

    @AfterEach
    void close() throws Exception {
        nodes.close();
    }

    @ParameterizedTest
    @EnumSource(TransportKind.class)
    void anUnencodableMessageFailsItsCallerAndIsNeitherDeliveredNorLeftToTimeOut(TransportKind kind) throws Exception {
        RedisTestNodes.Node a = nodes.node(kind);
        RedisTestNodes.Node b = nodes.node(kind);
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
