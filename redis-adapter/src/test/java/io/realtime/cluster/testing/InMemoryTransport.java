package io.realtime.cluster.testing;

import io.realtime.cluster.ClusterStats;
import io.realtime.cluster.core.ClusterMessage;
import io.realtime.cluster.core.ClusterTransport;
import io.realtime.cluster.core.ClusterWork;
import io.realtime.cluster.core.MessageReceiver;
import io.realtime.cluster.core.NamespaceChannel;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

/**
 * A cluster without Redis, for the core's tests: every node's transport is attached to one {@link Bus}, which
 * delivers each message to every node of the namespace (the sender included, as Redis does) on one thread, in
 * order. A node can be made {@link #deaf(boolean) deaf}: it is still counted but receives nothing.
 */
public final class InMemoryTransport implements ClusterTransport {

    /** The shared medium: one per test cluster. */
    public static final class Bus implements AutoCloseable {
        final ExecutorService delivery = Executors.newSingleThreadExecutor();
        final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        final Map<String, List<Channel>> byNamespace = new ConcurrentHashMap<>();

        @Override
        public void close() {
            delivery.shutdownNow();
            scheduler.shutdownNow();
        }
    }

    private final Bus bus;
    private final ClusterStats stats = new ClusterStats("in-memory");
    private final ClusterWork work = new ClusterWork("in-memory-cluster-work", stats);
    private final List<Channel> opened = new CopyOnWriteArrayList<>();
    private volatile boolean deaf;
    /** What this node's handlers threw, in order. */
    public final List<RuntimeException> handlerFailures = new CopyOnWriteArrayList<>();

    public InMemoryTransport(Bus bus) {
        this.bus = bus;
    }

    /** A deaf node is counted as a server but hears nothing (a node that stopped answering). */
    public void deaf(boolean value) {
        deaf = value;
    }

    private final class Channel implements NamespaceChannel {
        final String namespace;
        final String uid = UUID.randomUUID().toString().substring(0, 8);
        final MessageReceiver receiver;

        Channel(String namespace, MessageReceiver receiver) {
            this.namespace = namespace;
            this.receiver = receiver;
        }

        @Override
        public String uid() {
            return uid;
        }

        @Override
        public CompletionStage<Void> publish(ClusterMessage message) {
            stats.recordPublished();
            bus.delivery.execute(() -> bus.byNamespace.getOrDefault(namespace, List.of()).forEach(to -> to.receive(message)));
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<Void> publishResponse(String requesterUid, ClusterMessage response) {
            stats.recordPublished();
            bus.delivery.execute(() -> bus.byNamespace.getOrDefault(namespace, List.of()).stream()
                    .filter(to -> to.uid.equals(requesterUid)).forEach(to -> to.receive(response)));
            return CompletableFuture.completedFuture(null);
        }

        void receive(ClusterMessage message) {
            if (!deaf) {
                stats.recordReceived(1);
                try {
                    receiver.onMessage(message);
                } catch (RuntimeException e) {
                    // As over Redis, where each node reads for itself: one node's failing handler keeps the message
                    // from no other node.
                    handlerFailures.add(e);
                }
            }
        }

        @Override
        public CompletionStage<Integer> serverCount() {
            return CompletableFuture.completedFuture(bus.byNamespace.getOrDefault(namespace, List.of()).size());
        }

        @Override
        public void close() {
            bus.byNamespace.getOrDefault(namespace, new CopyOnWriteArrayList<>()).remove(this);
        }
    }

    @Override
    public NamespaceChannel open(String namespace, MessageReceiver receiver) {
        Channel channel = new Channel(namespace, receiver);
        bus.byNamespace.computeIfAbsent(namespace, key -> new CopyOnWriteArrayList<>()).add(channel);
        opened.add(channel);
        return channel;
    }

    @Override
    public void subscribeExternal(String channel, Consumer<String> handler) {
    }

    @Override
    public boolean isConnected() {
        return true;
    }

    @Override
    public ClusterStats stats() {
        return stats;
    }

    @Override
    public void handlerFailed(String what, RuntimeException failure) {
        stats.recordHandlerFailure();
        handlerFailures.add(failure);
    }

    @Override
    public ScheduledExecutorService scheduler() {
        return bus.scheduler;
    }

    @Override
    public ClusterWork work() {
        return work;
    }

    @Override
    public void close() {
        opened.forEach(Channel::close);
        work.close();
    }
}
