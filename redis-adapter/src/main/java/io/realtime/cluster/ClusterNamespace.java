package io.realtime.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * socket.io's broadcast operators for one namespace of the cluster, over its {@link ClusterAdapter}:
 * {@code to/except/local/asVolatile/timeout} narrow or qualify, then {@code emit}, {@code emitWithAck},
 * {@code fetchSockets}, {@code socketsJoin}, {@code socketsLeave} or {@code disconnectSockets} act. Immutable.
 */
public final class ClusterNamespace {

    private final ClusterAdapter adapter;
    private final BroadcastOptions opts;
    private final ClusterObserver observer;
    private final ScheduledExecutorService timers;

    ClusterNamespace(ClusterAdapter adapter, BroadcastOptions opts, ClusterObserver observer, ScheduledExecutorService timers) {
        this.adapter = adapter;
        this.opts = opts;
        this.observer = observer;
        this.timers = timers;
    }

    private ClusterNamespace with(BroadcastOptions narrowed) {
        return new ClusterNamespace(adapter, narrowed, observer, timers);
    }

    public String name() {
        return adapter.namespace();
    }

    public ClusterAdapter adapter() {
        return adapter;
    }

    /** The rooms, exceptions and flags this operator sends with. */
    public BroadcastOptions options() {
        return opts;
    }

    /** Only sockets in any of these rooms (a socket id is a room too); a room named twice counts once. */
    public ClusterNamespace to(String... rooms) {
        return with(opts.withRooms(roomSet(rooms)));
    }

    /** Also socket.io's name for {@link #to(String...)}, which reads better before {@code fetchSockets}. */
    public ClusterNamespace in(String... rooms) {
        return to(rooms);
    }

    public ClusterNamespace to(Set<String> rooms) {
        return with(opts.withRooms(rooms));
    }

    /** Not the sockets in any of these rooms. */
    public ClusterNamespace except(String... rooms) {
        return with(opts.withExcept(roomSet(rooms)));
    }

    private static Set<String> roomSet(String[] rooms) {
        Set<String> set = new LinkedHashSet<>(rooms.length);
        for (String room : rooms) {
            set.add(java.util.Objects.requireNonNull(room, "a room name is null"));
        }
        return set;
    }

    public ClusterNamespace except(Set<String> rooms) {
        return with(opts.withExcept(rooms));
    }

    /** This node only. */
    public ClusterNamespace local() {
        return with(opts.asLocal());
    }

    /** Dropped for clients that cannot take it right now. */
    public ClusterNamespace asVolatile() {
        return with(opts.asVolatile());
    }

    /**
     * How long {@link #emitWithAck} waits for the clients' acknowledgements, {@link #serverSideEmitWithAck} and
     * {@link #fetchSockets} for the other servers' answers (those two otherwise wait the adapter's request timeout).
     */
    public ClusterNamespace timeout(Duration timeout) {
        return with(opts.withTimeout(timeout));
    }

    public void emit(String event, Object... args) {
        adapter.broadcast(new ClusterPacket(event, Arrays.asList(args)), opts);
    }

    /**
     * Emits and collects every reached client's acknowledgement, across the cluster; fails with a
     * {@link ClusterTimeoutException} holding the acknowledgements received when the timeout passes first.
     */
    public CompletionStage<List<Object>> emitWithAck(String event, Object... args) {
        if (opts.timeout() == null) {
            throw new IllegalStateException("emitWithAck needs a timeout: call timeout(...) first");
        }
        AckCollector collector = new AckCollector(observer);
        adapter.broadcastWithAck(new ClusterPacket(event, Arrays.asList(args)), opts, collector::onClientCount, collector::onAck);
        if (opts.local()) {
            collector.onServerCount(1);
        } else {
            adapter.serverCount().whenComplete((count, failure) -> {
                if (failure != null) {
                    collector.result.completeExceptionally(failure);
                } else {
                    collector.onServerCount(count);
                }
            });
        }
        java.util.concurrent.ScheduledFuture<?> timer =
                timers.schedule(collector::onTimeout, opts.timeout().toMillis(), TimeUnit.MILLISECONDS);
        // Done before its timeout: the timer would otherwise hold the acknowledgements until then.
        collector.result.whenComplete((acks, failure) -> timer.cancel(false));
        return collector.result;
    }

    public CompletionStage<List<SocketDetails>> fetchSockets() {
        return adapter.fetchSockets(opts);
    }

    public void socketsJoin(String... rooms) {
        adapter.addSockets(opts, new LinkedHashSet<>(Arrays.asList(rooms)));
    }

    public void socketsLeave(String... rooms) {
        adapter.delSockets(opts, new LinkedHashSet<>(Arrays.asList(rooms)));
    }

    public void disconnectSockets(boolean close) {
        adapter.disconnectSockets(opts, close);
    }

    public CompletionStage<Set<String>> allRooms() {
        return adapter.allRooms();
    }

    public void serverSideEmit(String event, Object... args) {
        adapter.serverSideEmit(eventAndArgs(event, args));
    }

    /** One answer from each other server; fails with {@link ClusterTimeoutException} (partial answers) on timeout. */
    public CompletionStage<List<Object>> serverSideEmitWithAck(String event, Object... args) {
        return opts.timeout() == null ? adapter.serverSideEmitWithAck(eventAndArgs(event, args))
                : adapter.serverSideEmitWithAck(eventAndArgs(event, args), opts.timeout());
    }

    public void onServerSideEmit(String event, ServerSideListener listener) {
        adapter.onServerSideEmit(event, listener);
    }

    public CompletionStage<Integer> serverCount() {
        return adapter.serverCount();
    }

    private static List<Object> eventAndArgs(String event, Object[] args) {
        List<Object> list = new ArrayList<>(args.length + 1);
        list.add(event);
        list.addAll(Arrays.asList(args));
        return list;
    }

    /**
     * socket.io's completeness rule: every server told its client count, and that many acks arrived. The counts are
     * kept under the collector's lock, the result completed outside it: the caller's callbacks run on completion, and
     * the event loops still handing in acks must not wait for them.
     */
    private static final class AckCollector {
        final CompletableFuture<List<Object>> result = new CompletableFuture<>();
        final List<Object> acks = new ArrayList<>();
        final ClusterObserver observer;
        final long startedAt = System.nanoTime();
        int expectedServers = -1;
        int reportedServers;
        int expectedClients;
        boolean done;

        AckCollector(ClusterObserver observer) {
            this.observer = observer;
        }

        void onClientCount(int clients) {
            List<Object> complete;
            synchronized (this) {
                expectedClients += clients;
                reportedServers++;
                complete = completeIfAllIn();
            }
            finish(complete);
        }

        void onAck(Object ack) {
            List<Object> complete;
            synchronized (this) {
                acks.add(ack);
                complete = completeIfAllIn();
            }
            finish(complete);
        }

        void onServerCount(int servers) {
            List<Object> complete;
            synchronized (this) {
                expectedServers = servers;
                complete = completeIfAllIn();
            }
            finish(complete);
        }

        void onTimeout() {
            ClusterTimeoutException timeout;
            synchronized (this) {
                if (done) {
                    return;
                }
                done = true;
                timeout = new ClusterTimeoutException("operation has timed out: " + acks.size()
                        + " acknowledgements of " + expectedClients + " expected", acks);
            }
            observer.requestTimedOut("broadcastAck");
            result.completeExceptionally(timeout);
        }

        /** The acks when they are all in (once), else null; called holding the lock. */
        private List<Object> completeIfAllIn() {
            if (done || expectedServers != reportedServers || acks.size() != expectedClients) {
                return null;
            }
            done = true;
            return new ArrayList<>(acks);
        }

        private void finish(List<Object> complete) {
            if (complete != null) {
                observer.requestCompleted("broadcastAck", System.nanoTime() - startedAt);
                result.complete(complete);
            }
        }
    }
}
