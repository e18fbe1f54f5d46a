package io.realtime.cluster.redis;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.SocketIOServer;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import io.realtime.cluster.BroadcastOptions;
import io.realtime.cluster.Cluster;
import io.realtime.cluster.ClusterObserver;
import io.realtime.cluster.ClusterPacket;
import io.realtime.cluster.RedisAdapterOptions;
import io.realtime.cluster.TransportKind;
import io.realtime.cluster.core.ClusterMessage.Broadcast;
import io.realtime.cluster.core.NamespaceChannel;
import io.realtime.cluster.testing.RedisClusterProcesses;
import io.realtime.cluster.testing.RedisFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A namespace added after the cluster started gets its adapter on first use, often on the Netty event loop of its
 * first socket; over the streams transport that adapter may start a stream's reader. Making it must not wait for
 * Redis on that loop: the reader connects on its own thread, and still reads every entry appended once the adapter
 * exists.
 */
class LazyStreamReaderTest {

    private static final String CLIENT_NAME = "lazy-stream-reader-test";

    private final String key = "lazy-reader-" + UUID.randomUUID();
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final EventLoop loop = new DefaultEventLoop();
    /** The server of this node's cluster ({@link #cluster(RedisFixture)}). */
    private SocketIOServer server;
    /** The namespaces whose broadcasts this node's reader delivered. */
    private final List<String> delivered = new CopyOnWriteArrayList<>();
    private final ClusterObserver observer = new ClusterObserver() {
        @Override
        public void delivered(String namespace, int recipients) {
            delivered.add(namespace);
        }
    };

    /** What the stream reader logs, during each test. */
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger readerLog = (Logger) LoggerFactory.getLogger(StreamReader.class);

    @BeforeEach
    void watchTheReadersLog() {
        logged.start();
        readerLog.addAppender(logged);
    }

    @AfterEach
    void close() throws Exception {
        readerLog.detachAppender(logged);
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }

    private RedisAdapterOptions options(RedisFixture redis) {
        // Two streams: the namespace added later reads a stream nobody read yet, so its adapter starts a reader.
        return RedisAdapterOptions.builder(redis.uri())
                .key(key).transport(TransportKind.STREAMS).requestTimeout(Duration.ofSeconds(5)).clientName(CLIENT_NAME)
                .streams(new RedisAdapterOptions.StreamOptions(key, 2, 10_000, 100, key + ":session:"))
                .build();
    }

    /** A namespace hashed to the other stream than the main one's. */
    private String otherStreamsNamespace() {
        String main = StreamsTransport.streamOf("/", key, 2);
        for (int i = 0; ; i++) {
            if (!StreamsTransport.streamOf("/late" + i, key, 2).equals(main)) {
                return "/late" + i;
            }
        }
    }

    /** A node's cluster over a server (not started: the cluster only needs its namespaces). */
    private Cluster cluster(SocketIOServer server, RedisFixture redis, ClusterObserver observer) {
        Cluster cluster = Cluster.redis(server, options(redis), observer);
        resources.add(cluster);
        return cluster;
    }

    /** This node's cluster, recording what its readers deliver, over a server that serves "/" only so far. */
    private Cluster cluster(RedisFixture redis) {
        server = new SocketIOServer(new Configuration());
        return cluster(server, redis, observer);
    }

    /** A namespace added after the cluster started, on the stream nobody reads yet. */
    private String addLateNamespace() {
        String late = otherStreamsNamespace();
        server.addNamespace(late);
        return late;
    }

    private RedisFixture ownServer() {
        RedisFixture redis = RedisFixture.ownServer();
        resources.add(redis);
        return redis;
    }

    /** Runs {@code task} on the event loop; the future completes when the task has returned. */
    private CompletableFuture<Void> onTheLoop(Runnable task) {
        return CompletableFuture.runAsync(task, loop);
    }

    private Thread readerThread(String namespace) {
        String name = "stream-reader-" + StreamsTransport.streamOf(namespace, key, 2);
        return Thread.getAllStackTraces().keySet().stream().filter(thread -> thread.getName().equals(name))
                .findFirst().orElse(null);
    }

    private static long connectionsNamed(RedisFixture redis) {
        return RedisClusterProcesses.cli(redis.port(), "CLIENT", "LIST").lines()
                .filter(line -> line.contains("name=" + CLIENT_NAME + " ")).count();
    }

    @Test
    void anAdapterMadeOnAnEventLoopWhileRedisDoesNotAnswerReturnsAtOnceAndReadsWhatWasAppendedMeanwhile() {
        RedisFixture redis = ownServer();
        Cluster cluster = cluster(redis);
        String late = addLateNamespace();

        redis.pause();
        CompletableFuture<Void> made;
        try {
            // The first use of the namespace, as its first socket's CONNECT or a handler's broadcast would: the
            // adapter, its stream's reader and a broadcast appended before that reader has a connection.
            made = onTheLoop(() -> cluster.of(late).emit("e", 1));
            await("the adapter made on the event loop while Redis is frozen").atMost(Duration.ofSeconds(2))
                    .until(made::isDone);
            assertThat(made).isCompleted();
            assertThat(readerThread(late)).as("the reader's thread, connecting").isNotNull();
        } finally {
            redis.resume();
        }

        // Appended once the adapter existed, before the reader could read: read all the same.
        await().atMost(Duration.ofSeconds(15)).until(() -> delivered.contains(late));
        assertThat(delivered).containsOnly(late);
    }

    @Test
    void aReaderClosedBeforeItsConnectionIsOpenLeavesNeitherItsThreadNorAConnection() {
        RedisFixture redis = ownServer();
        Cluster cluster = cluster(redis);
        String late = addLateNamespace();

        redis.pause();
        try {
            CompletableFuture<Void> made = onTheLoop(() -> cluster.of(late));
            await().atMost(Duration.ofSeconds(2)).until(made::isDone);
            assertThat(made).isCompleted();
            // Closed while the reader is still waiting for Redis to answer its connection.
            cluster.close();
        } finally {
            redis.resume();
        }

        await("the reader's thread ends").atMost(Duration.ofSeconds(15)).until(() -> readerThread(late) == null);
        await("every connection of the node is closed").atMost(Duration.ofSeconds(15))
                .until(() -> connectionsNamed(redis) == 0);
    }

    @Test
    void aReaderThatCannotConnectTriesAgainSaysSoOnceAndReadsWhenRedisIsBack() {
        RedisFixture redis = ownServer();
        Cluster cluster = cluster(redis);
        String late = addLateNamespace();

        redis.stop();
        CompletableFuture<Void> made = onTheLoop(() -> cluster.of(late));
        await().atMost(Duration.ofSeconds(5)).until(made::isDone);
        assertThat(made).isCompleted();
        await().atMost(Duration.ofSeconds(5)).until(() -> warnings().stream()
                .anyMatch(message -> message.startsWith("connecting to read the stream")));

        redis.restart();
        // Another node broadcasts on the namespace until this node's reader, connected at last, reads it.
        SocketIOServer otherServer = new SocketIOServer(new Configuration());
        otherServer.addNamespace(late);
        Cluster other = cluster(otherServer, redis, ClusterObserver.NONE);
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> {
            other.of(late).emit("e", 1);
            return delivered.contains(late);
        });
        assertThat(warnings().stream().filter(message -> message.startsWith("connecting to read the stream")))
                .as("said once, not at every attempt").hasSize(1);
    }

    @Test
    void anEntryThisNodeAppendsBeforeItsReaderKnowsWhereToStartIsReadAllTheSame() {
        RedisFixture redis = ownServer();
        // A user who may append but not read where the stream ends: the reader's first question fails, and every
        // one after it until the right is granted; the node's own append goes through meanwhile.
        RedisFixture.command(redis.host(), redis.port(), "ACL", "SETUSER", "appender", "on", ">secret", "~*", "&*",
                "+@all", "-xrevrange");
        RedisAdapterOptions options = RedisAdapterOptions.builder("redis://appender:secret@" + redis.host() + ":" + redis.port())
                .key(key).transport(TransportKind.STREAMS).requestTimeout(Duration.ofSeconds(5)).clientName(CLIENT_NAME)
                .streams(new RedisAdapterOptions.StreamOptions(key, 1, 10_000, 100, key + ":session:"))
                .build();
        RedisTransport transport = RedisTransport.connect(options, ClusterObserver.NONE);
        resources.add(transport);
        StreamRecorder recorder = new StreamRecorder();
        NamespaceChannel channel = transport.open("/", recorder);
        await("the reader could not read where the stream ends").atMost(Duration.ofSeconds(10))
                .until(() -> warnings().stream().anyMatch(message -> message.contains("the end of the stream")));

        String id = channel.append(new Broadcast(channel.uid(), ClusterPacket.of("e", 1), BroadcastOptions.ALL, null))
                .toCompletableFuture().join();
        RedisFixture.command(redis.host(), redis.port(), "ACL", "SETUSER", "appender", "+xrevrange");

        await("the node's own entry, appended while its reader was not placed").atMost(Duration.ofSeconds(10))
                .until(() -> recorder.received.stream().anyMatch(received -> id.equals(received.offset())));
    }

    @Test
    void theIdBeforeAnEntryIsTheLastAnXreadAfterItStillReturnsTheEntryFor() {
        assertThat(StreamReader.before("1700000000000-3")).isEqualTo("1700000000000-2");
        assertThat(StreamReader.before("1700000000000-0")).isEqualTo("1699999999999-18446744073709551615");
        assertThat(StreamSessionRecovery.after("1700000000000-0", StreamReader.before("1700000000000-0"))).isTrue();
    }

    private List<String> warnings() {
        synchronized (logged) {
            return logged.list.stream().filter(event -> event.getLevel() == Level.WARN)
                    .map(ILoggingEvent::getFormattedMessage).toList();
        }
    }
}
