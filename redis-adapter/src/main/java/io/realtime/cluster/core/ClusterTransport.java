package io.realtime.cluster.core;

import io.realtime.cluster.ClusterStats;
import io.realtime.cluster.SharedKeys;

import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

/**
 * How the nodes of a cluster reach each other: publishes, subscribes and counts servers, nothing more. The
 * protocol (who answers what, timeouts, own-message filtering) is the core's ({@link ClusterCoreAdapter}).
 */
public interface ClusterTransport extends AutoCloseable {

    /** Joins one namespace's traffic: everything published for it reaches {@code receiver}, own messages included. */
    NamespaceChannel open(String namespace, MessageReceiver receiver);

    /** Subscribes to a plain channel that an outside service publishes text to (every node receives each message). */
    void subscribeExternal(String channel, Consumer<String> handler);

    /** The keys of the Redis the transport uses; empty for a transport without one. */
    default Optional<SharedKeys> sharedKeys() {
        return Optional.empty();
    }

    /**
     * Waits until the channels opened so far can receive (the streams transport: each stream's reader connected and
     * placed), failing with the reason when they cannot. Opening a channel never waits for Redis, since an adapter
     * may be made on an event loop; this is called where waiting is allowed, when the cluster starts.
     *
     * @throws io.realtime.cluster.ClusterUnavailableException when they cannot
     */
    default void awaitOpened() {
    }

    /** Whether the transport can publish now. */
    boolean isConnected();

    /**
     * Why the transport stopped working on this node for good, or empty while it works. Unlike a lost connection,
     * nothing heals it: once set it stays.
     */
    default Optional<String> failure() {
        return Optional.empty();
    }

    ClusterStats stats();

    /** The one scheduler of the cluster's timeouts (never a Netty I/O loop of the server). */
    ScheduledExecutorService scheduler();

    /** Where work that grows with the node's sockets or a stream's length runs; other nodes' requests bounded ({@link ClusterWork}). */
    ClusterWork work();

    /**
     * Reports that applying a message read well failed on this node (an application's listener, the adapter): not
     * its sender's fault. Counted in {@link #stats()}; each transport logs it as it logs its own handlers' failures.
     */
    default void handlerFailed(String what, RuntimeException failure) {
        stats().recordHandlerFailure();
        org.slf4j.LoggerFactory.getLogger(ClusterTransport.class).error("{} failed", what, failure);
    }

    @Override
    void close();
}
