package io.realtime.cluster.redis;

import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.event.ClusterTopologyChangedEvent;
import io.lettuce.core.cluster.event.TopologyRefreshEvent;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.event.cluster.AdaptiveRefreshTriggeredEvent;
import io.netty.util.concurrent.EventExecutor;
import io.realtime.cluster.ClusterStats;
import io.realtime.cluster.redis.RedisLink.Mode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * What a {@link RedisLink} on a Redis Cluster needs beyond lettuce: publishing to the primary that serves a
 * channel's slot, server counts summed over the live nodes, noticing that a slot changed owner (a failover) so
 * that sharded subscriptions are renewed, and noticing that no primary answers (an outage: lettuce's connections to
 * the nodes come and go in a failover too, so none of their events tells).
 */
final class ClusterTopology {

    /** How long after a dropped node connection the topology is read every second (a failover takes a few). */
    private static final Duration UNSETTLED = Duration.ofSeconds(20);
    /** Seconds between two probes of the primaries when nothing suggests trouble. */
    private static final int QUIET_PROBE_TICKS = 5;
    /** A node's count when it did not answer in time (or failed): no count can be negative. */
    private static final int SILENT = -1;
    private static final Logger log = LoggerFactory.getLogger(ClusterTopology.class);

    private final RedisClusterClient client;
    private final StatefulRedisClusterConnection<byte[], byte[]> pub;
    private final ClusterStats stats;
    private final EventExecutor scheduler;
    private final Duration probeTimeout;
    /** Whether a node left out of a count was logged, since the last count every node answered. */
    private final AtomicBoolean silentLogged = new AtomicBoolean();
    /** Seconds since the link started (on the scheduler): when the next quiet probe is due. */
    private long quietTicks;
    private final AtomicBoolean suspect = new AtomicBoolean();
    private final AtomicBoolean probing = new AtomicBoolean();
    /** Whether a primary answered at the last look (on the scheduler). */
    private boolean reachable = true;
    /** Until when (nanoTime) the topology is read every second: a node connection dropped, a failover may follow. */
    private volatile long unsettledUntil = System.nanoTime();
    /** Who served which slots at the last look. */
    private volatile String slotOwners;
    /** What {@link #watch} started: the event bus subscription, the connection listener, the once-a-second task. */
    private volatile reactor.core.Disposable refreshEvents;
    private volatile RedisConnectionStateListener disconnects;
    private volatile ScheduledFuture<?> ticks;
    private final AtomicBoolean closed = new AtomicBoolean();

    ClusterTopology(RedisClusterClient client, StatefulRedisClusterConnection<byte[], byte[]> pub, ClusterStats stats,
                    EventExecutor scheduler, Duration probeTimeout) {
        this.client = client;
        this.probeTimeout = probeTimeout;
        this.pub = pub;
        this.stats = stats;
        this.scheduler = scheduler;
    }

    /**
     * Counts refreshes, calls {@code ownersChanged} (on the scheduler) when a slot got a new owner, and
     * {@code reachability} with {@code false} when no primary answers any more (the whole cluster is down or cut
     * off), then with {@code true} when one does again.
     */
    void watch(Runnable ownersChanged, Consumer<Boolean> reachability) {
        // The owners this link subscribed with: a change within the first second is a change too.
        slotOwners = slotOwners();
        // Counted: refreshes that MOVED/ASK/reconnects triggered, and periodic ones that found a change.
        refreshEvents = client.getResources().eventBus().get().subscribe(event -> {
            if (event instanceof TopologyRefreshEvent || event instanceof AdaptiveRefreshTriggeredEvent
                    || event instanceof ClusterTopologyChangedEvent) {
                stats.recordTopologyRefresh();
            }
        });
        // A node that only subscribes publishes nothing that could fail: a dropped connection to any node (its
        // subscriptions may be on it) has the topology read every second until the promotion a few seconds later
        // is seen, instead of at the next periodic refresh.
        disconnects = new RedisConnectionStateListener() {
            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
                unsettledUntil = System.nanoTime() + UNSETTLED.toNanos();
            }
        };
        client.addListener(disconnects);
        // lettuce's change event does not come after every failover, and nothing in lettuce refreshes the
        // topology when commands to a dead primary time out: once a second, a failed publish or a recently dropped
        // connection asks for a refresh, and a change of the slots' owners is reported.
        ticks = scheduler.scheduleWithFixedDelay(() -> {
            if (closed.get() || pub instanceof RedisChannelHandler<?, ?> connection && connection.isClosed()) {
                // The link closed its connections: lettuce's event executor may outlive it (it stops with the
                // application's event loops when they are lent), and nothing is left to watch.
                close();
                return;
            }
            // Pinged every second while something suggests trouble and until a primary answers again, else every
            // few seconds: a cluster cut off by the network closes no connection, and an idle node publishes nothing
            // that could fail.
            boolean due = unsettled() || !reachable || ++quietTicks % QUIET_PROBE_TICKS == 0;
            if (due && probing.compareAndSet(false, true)) {
                anyPrimaryAnswers().whenComplete((answered, failure) -> scheduler.execute(() -> {
                    probing.set(false);
                    boolean now = failure == null && answered;
                    if (now != reachable) {
                        reachable = now;
                        reachability.accept(now);
                    }
                }));
            }
            boolean refresh = suspect.getAndSet(false) || System.nanoTime() - unsettledUntil < 0;
            CompletionStage<Void> refreshed = refresh
                    ? client.refreshPartitionsAsync() : CompletableFuture.completedFuture(null);
            refreshed.whenComplete((ok, failure) -> scheduler.execute(() -> {
                String owners = slotOwners();
                String before = slotOwners;
                slotOwners = owners;
                if (!before.equals(owners)) {
                    ownersChanged.run();
                }
            }));
        }, 1, 1, TimeUnit.SECONDS);
        if (closed.get()) {
            close();
        }
    }

    /**
     * Stops watching: the once-a-second task, the count of refresh events and the connection listener. Called by the
     * link's close; the task also stops itself at its first run after the link's publishing connection closed (a link
     * that never closed it properly). Idempotent.
     */
    void close() {
        closed.set(true);
        ScheduledFuture<?> task = ticks;
        if (task != null) {
            task.cancel(false);
        }
        reactor.core.Disposable events = refreshEvents;
        if (events != null) {
            events.dispose();
        }
        RedisConnectionStateListener listener = disconnects;
        if (listener != null) {
            client.removeListener(listener);
        }
    }

    /**
     * Whether any primary lettuce knows of answers a PING within the request timeout: a failover leaves the other
     * primaries answering; only a cluster down or cut off as a whole leaves none.
     */
    private CompletionStage<Boolean> anyPrimaryAnswers() {
        List<CompletableFuture<Boolean>> answers = new ArrayList<>();
        for (RedisClusterNode node : pub.getPartitions()) {
            if (!node.is(RedisClusterNode.NodeFlag.UPSTREAM)) {
                continue;
            }
            CompletableFuture<Boolean> answer;
            try {
                answer = pub.getConnectionAsync(node.getNodeId()).thenCompose(connection -> connection.async().ping())
                        .thenApply("PONG"::equals);
            } catch (RuntimeException e) {
                answer = CompletableFuture.completedFuture(false);
            }
            // An error reply is an answer too (a user whose ACL has no PING, a node still loading its data).
            answers.add(answer.completeOnTimeout(false, probeTimeout.toMillis(), TimeUnit.MILLISECONDS)
                    .exceptionally(failure -> unwrap(failure) instanceof io.lettuce.core.RedisCommandExecutionException));
        }
        return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
                .thenApply(done -> answers.stream().anyMatch(CompletableFuture::join));
    }

    private static Throwable unwrap(Throwable failure) {
        return failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }

    /** Whether a failover may be under way: a node connection dropped lately, or a publish failed. */
    boolean unsettled() {
        return suspect.get() || System.nanoTime() - unsettledUntil < 0;
    }

    /** A publish failed: the topology is read again at the next look. */
    void suspect() {
        suspect.set(true);
        unsettledUntil = System.nanoTime() + UNSETTLED.toNanos();
    }

    /**
     * lettuce sends a command without a key (a channel is not one) on the cluster connection's default node, which
     * may be the primary that just died: a sharded message goes straight to the primary serving its channel's slot.
     */
    CompletionStage<Long> publish(Mode mode, byte[] channel, byte[] message) {
        // A plain PUBLISH reaches every node from any node, but only in order from one: all go to slot 0's primary.
        RedisClusterNode owner = pub.getPartitions().getMasterBySlot(mode == Mode.SHARDED ? SlotHash.getSlot(channel) : 0);
        if (owner == null) {
            return mode == Mode.SHARDED ? pub.async().spublish(channel, message) : pub.async().publish(channel, message);
        }
        CompletableFuture<io.lettuce.core.api.StatefulRedisConnection<byte[], byte[]>> connection;
        try {
            connection = pub.getConnectionAsync(owner.getNodeId());
        } catch (RuntimeException e) {
            // The node left lettuce's view since the lookup (a refresh in between): a failed publish, held and retried.
            return CompletableFuture.failedFuture(e);
        }
        return connection.thenCompose(node -> mode == Mode.SHARDED
                ? node.async().spublish(channel, message) : node.async().publish(channel, message));
    }

    /**
     * Subscribers of a channel, summed over the live nodes: a plain subscriber's connection may be to a replica as
     * well as to a primary; a sharded one is on the shard's primary. A failed node would only make it time out.
     *
     * <p>Each node is waited for on its own, up to the request timeout, and one that does not answer (a replica
     * stalled or dying, before the cluster flags it failed) counts 0: asked all at once, that one node failed every
     * count, so every request, acknowledged broadcast and session restore of the node failed for the whole window
     * while the rest of the cluster served. A count too low makes a request resolve once the nodes counted have
     * answered, without those whose subscriptions are on the silent Redis node; but the request reaches them through
     * that very node, which is not passing anything on either, so waiting for them would mostly end in the timeout
     * with the same partial answers (and every request failing is worse still). The count fails instead, as before,
     * when a node was silent and the others count no subscriber at all: the silent one may hold them all (a sharded
     * channel's primary; the one subscription of a session's owner, which a count of 0 would declare gone while it
     * holds the socket; this node's own request subscription).
     */
    CompletionStage<Integer> count(Mode mode, byte[] channel) {
        var nodes = pub.async().nodes(node -> !node.is(RedisClusterNode.NodeFlag.FAIL)
                && !node.is(RedisClusterNode.NodeFlag.EVENTUAL_FAIL)
                && (mode == Mode.PLAIN || node.is(RedisClusterNode.NodeFlag.UPSTREAM))).commands();
        var counts = mode == Mode.SHARDED ? nodes.pubsubShardNumsub(channel) : nodes.pubsubNumsub(channel);
        List<CompletableFuture<Integer>> perNode = new ArrayList<>();
        for (CompletableFuture<Map<byte[], Long>> node : counts.futures()) {
            // Derived futures: completing one on timeout leaves lettuce's command alone.
            perNode.add(node.thenApply(values -> values.values().stream().mapToInt(Long::intValue).sum())
                    .completeOnTimeout(SILENT, probeTimeout.toMillis(), TimeUnit.MILLISECONDS)
                    .exceptionally(failure -> SILENT));
        }
        return CompletableFuture.allOf(perNode.toArray(CompletableFuture[]::new)).thenApply(done -> {
            int subscribers = 0;
            int silent = 0;
            for (CompletableFuture<Integer> node : perNode) {
                int count = node.join();
                if (count == SILENT) {
                    silent++;
                } else {
                    subscribers += count;
                }
            }
            if (silent == 0) {
                silentLogged.set(false);
            } else if (subscribers > 0 && silentLogged.compareAndSet(false, true)) {
                log.warn("{} of {} Redis Cluster nodes did not answer PUBSUB NUMSUB within {} ms: counted as 0 (their"
                        + " subscribers are not waited for) until every node answers again", silent, perNode.size(),
                        probeTimeout.toMillis());
            }
            if (silent > 0 && subscribers == 0) {
                throw new io.lettuce.core.RedisCommandTimeoutException(silent + " of " + perNode.size()
                        + " Redis Cluster nodes did not answer PUBSUB NUMSUB within " + probeTimeout.toMillis()
                        + " ms, and the others count no subscriber: the silent ones may hold them all");
            }
            return subscribers;
        });
    }

    /**
     * Every primary's node id with every slot range it serves: a failover (a replica, another id, takes the slots,
     * whatever its host and port) and a single slot moved between primaries both change it. Not the address, which
     * lettuce may write as a seed's host name or as the announced IP from one refresh to the next.
     */
    private String slotOwners() {
        TreeMap<String, String> owners = new TreeMap<>();
        for (RedisClusterNode node : client.getPartitions()) {
            if (node.is(RedisClusterNode.NodeFlag.UPSTREAM) && !node.getSlots().isEmpty()) {
                owners.put(node.getNodeId(), ranges(node.getSlots()));
            }
        }
        return owners.toString();
    }

    /** Slots as ranges ("0-5460,6000"), whatever order lettuce lists them in. */
    static String ranges(List<Integer> slots) {
        int[] sorted = slots.stream().mapToInt(Integer::intValue).sorted().toArray();
        StringBuilder ranges = new StringBuilder();
        for (int i = 0; i < sorted.length; i++) {
            int first = sorted[i];
            while (i + 1 < sorted.length && sorted[i + 1] == sorted[i] + 1) {
                i++;
            }
            ranges.append(ranges.isEmpty() ? "" : ",").append(first);
            if (sorted[i] != first) {
                ranges.append('-').append(sorted[i]);
            }
        }
        return ranges.toString();
    }
}
