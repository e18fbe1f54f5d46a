package io.realtime.cluster.redis;

import io.lettuce.core.resource.Transports;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.EventExecutor;
import io.realtime.cluster.ClusterObserver;
import io.realtime.cluster.ClusterStats;
import io.realtime.cluster.ClusterUnavailableException;
import io.realtime.cluster.RedisAdapterOptions;
import io.realtime.cluster.redis.RedisLink.Delivery;
import io.realtime.cluster.redis.RedisLink.Mode;
import io.realtime.cluster.testing.RedisFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The Redis link on the application's own event loops: read and written there, and the loops left to their owner. */
class BorrowedEventLoopsTest {

    /** Loops of the transport lettuce picks on this machine, as an application lending its own would make them. */
    private final EventLoopGroup loops = new MultiThreadIoEventLoopGroup(2,
            Transports.socketChannelClass() == EpollSocketChannel.class ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());

    @AfterEach
    void shutDown() {
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void messagesAreReadOnTheLentLoopsWithoutThreadsOfLettucesAndTheLoopsOutliveTheLink() throws Exception {
        RedisAdapterOptions options = RedisAdapterOptions.builder(RedisFixture.shared().uri()).eventLoops(loops).build();
        Set<Thread> before = new HashSet<>(Thread.getAllStackTraces().keySet());
        String channel = "borrowed-loops-" + UUID.randomUUID();
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        try (RedisLink publisher = RedisLink.connect(options, new ClusterStats("test"), ClusterObserver.NONE);
             RedisLink subscriber = RedisLink.connect(options, new ClusterStats("test"), ClusterObserver.NONE)) {
            subscriber.subscribe(List.of(channel), (from, message) ->
                    received.add((onLentLoop() ? "lent loop: " : "other thread: ") + new String(message, StandardCharsets.UTF_8)));
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> publisher.subscriberCount(Mode.PLAIN, channel).toCompletableFuture().join() == 1);

            publisher.publish(Mode.PLAIN, channel, "hello".getBytes(StandardCharsets.UTF_8), Delivery.NOW)
                    .toCompletableFuture().get(5, TimeUnit.SECONDS);

            assertThat(received.poll(5, TimeUnit.SECONDS)).isEqualTo("lent loop: hello");
            assertThat(Thread.getAllStackTraces().keySet()).filteredOn(thread -> !before.contains(thread))
                    .extracting(Thread::getName)
                    .noneMatch(name -> name.startsWith("lettuce-epollEventLoop") || name.startsWith("lettuce-nioEventLoop"));
        }
        assertThat(loops.isShuttingDown()).isFalse();
        assertThat(loops.submit(() -> "still serving").get(5, TimeUnit.SECONDS)).isEqualTo("still serving");

        // lettuce's executor and timer stop once their owner has shut the loops down.
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        await().atMost(Duration.ofSeconds(5)).until(() -> lettuceThreadsSince(before).isEmpty());
    }

    @Test
    void aFailedConnectLeavesTheLoopsServingAndLettucesThreadsEndWithThem() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        RedisAdapterOptions options = RedisAdapterOptions.builder("redis://127.0.0.1:" + closedPort)
                .eventLoops(loops).requestTimeout(Duration.ofSeconds(2)).build();
        Set<Thread> before = new HashSet<>(Thread.getAllStackTraces().keySet());

        assertThatThrownBy(() -> RedisLink.connect(options, new ClusterStats("test"), ClusterObserver.NONE))
                .isInstanceOf(ClusterUnavailableException.class)
                .hasMessageContaining("127.0.0.1:" + closedPort);

        // lettuce's resources outlive the failed client while the loops its channel ran on may still report to them.
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
                .until(() -> lettuceThreadsSince(before).stream().anyMatch(name -> name.startsWith("lettuce-timer")));
        assertThat(loops.submit(() -> "still serving").get(5, TimeUnit.SECONDS)).isEqualTo("still serving");
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        await().atMost(Duration.ofSeconds(5)).until(() -> lettuceThreadsSince(before).isEmpty());
    }

    private static Set<String> lettuceThreadsSince(Set<Thread> before) {
        Set<String> names = new HashSet<>();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (!before.contains(thread) && thread.isAlive() && thread.getName().startsWith("lettuce-")) {
                names.add(thread.getName().replaceAll("-\\d+$", ""));
            }
        }
        return names;
    }

    @Test
    void loopsOfAnotherKindAreRefusedWithTheReason() {
        EventLoopGroup other = new DefaultEventLoopGroup(1);
        try {
            RedisAdapterOptions options = RedisAdapterOptions.builder(RedisFixture.shared().uri()).eventLoops(other).build();
            assertThatThrownBy(() -> RedisLink.connect(options, new ClusterStats("test"), ClusterObserver.NONE))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("eventLoops")
                    .hasMessageContaining("DefaultEventLoopGroup");
        } finally {
            other.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private boolean onLentLoop() {
        for (EventExecutor loop : loops) {
            if (loop.inEventLoop()) {
                return true;
            }
        }
        return false;
    }
}
