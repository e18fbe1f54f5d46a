package io.realtime.gateway.cluster;

import io.realtime.cluster.ClusterStats;
import io.realtime.cluster.testing.RedisClusterProcesses;
import io.realtime.cluster.testing.RedisFixture;
import io.realtime.cluster.testing.RedisSentinelProcesses;
import io.realtime.gateway.testing.ProductNode;
import io.realtime.gateway.testing.ProductNode.Client;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Redis primary dies under traffic (SIGKILL) and Sentinel, or the Redis Cluster, promotes its replica, on each
 * transport: one node sends numbered broadcasts every 20 ms; its own client never misses one (local delivery does not stop),
 * the other node's client gets them again within 10 s of the promotion, and nothing sent after that is lost. What
 * the remote client missed in between is counted and printed beside the node's metrics.
 */
class RedisFailoverTest {

    private static final Pattern TICK = Pattern.compile("42\\[\"tick\",(\\d+)]");

    @ParameterizedTest(name = "REDIS_ADAPTER={0}")
    @ValueSource(strings = {"classic", "sharded"})
    void aSentinelFailoverUnderTraffic(String transport) {
        try (RedisSentinelProcesses sentinel = RedisSentinelProcesses.start()) {
            underTraffic(sentinel.uri(), transport, () -> sentinel.kill(sentinel.primaryPort()),
                    () -> sentinel.currentPrimaryPort() == sentinel.replicaPort());
        }
    }

    /**
     * A Redis Cluster primary dies (SIGKILL) and its replica is promoted. The sharded transport loses the primary
     * of the namespace channel's slot; the classic one the primary of slot 0, where its publishes go.
     */
    @ParameterizedTest(name = "REDIS_ADAPTER={0}")
    @ValueSource(strings = {"sharded", "classic"})
    void aRedisClusterFailoverUnderTraffic(String transport) {
        try (RedisFixture redis = RedisFixture.ownCluster()) {
            RedisClusterProcesses cluster = redis.cluster();
            String key = "failover-" + UUID.randomUUID();
            int slot = transport.equals("sharded") ? cluster.slotOf(key + "#/#") : 0;
            int victim = cluster.primaryOf(slot);
            assertThat(victim).as("the primary of slot " + slot).isPositive();
            underTraffic(redis.uri(), transport, key, () -> cluster.kill(victim), () -> {
                int owner = cluster.primaryOf(slot);
                return owner > 0 && owner != victim;
            });
        }
    }

    private static void underTraffic(String uri, String transport, Runnable kill, BooleanSupplier promoted) {
        underTraffic(uri, transport, "failover-" + UUID.randomUUID(), kill, promoted);
    }

    private static void underTraffic(String uri, String transport, String key, Runnable kill, BooleanSupplier promoted) {
        Map<String, String> env = Map.of("REDIS_URL", uri);
        String[] flags = {"--redisKey=" + key, "--redisAdapter=" + transport, "--pingInterval=25000",
                "--dashboardInterval=600000", "--clusterRequestTimeout=2000"};
        try (ProductNode n1 = ProductNode.start(env, flags); ProductNode n2 = ProductNode.start(env, flags);
             Client here = n1.open("/", null); Client there = n2.open("/", null)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> n1.node().cluster().of("/").serverCount().toCompletableFuture().join() == 2);
            Set<Integer> gotHere = new ConcurrentSkipListSet<>();
            Set<Integer> gotThere = new ConcurrentSkipListSet<>();
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicInteger sent = new AtomicInteger();
            Thread sender = new Thread(() -> {
                while (running.get()) {
                    n1.node().cluster().of("/").emit("tick", sent.getAndIncrement());
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "failover-sender");
            Thread readHere = reader(here, gotHere, running);
            Thread readThere = reader(there, gotThere, running);
            sender.start();
            readHere.start();
            readThere.start();
            try {
                await().atMost(Duration.ofSeconds(5)).until(() -> gotThere.size() >= 20);

                int highestBeforeKill = gotThere.stream().mapToInt(Integer::intValue).max().orElseThrow();
                int sentAtKill = sent.get();
                long killedAt = System.nanoTime();
                kill.run();
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(promoted::getAsBoolean);
                long promotedAt = System.nanoTime();
                int sentAtPromotion = sent.get();

                try {
                    await("delivery resumes within 10 s of the promotion").atMost(Duration.ofSeconds(10))
                            .until(() -> gotThere.stream().anyMatch(n -> n >= sentAtPromotion));
                } catch (org.awaitility.core.ConditionTimeoutException e) {
                    ClusterStats s1 = n1.node().cluster().stats().orElseThrow();
                    ClusterStats s2 = n2.node().cluster().stats().orElseThrow();
                    throw new AssertionError(e.getMessage() + "; sent " + sent.get() + ", last received there "
                            + gotThere.stream().mapToInt(Integer::intValue).max().orElse(-1) + "; n1 published " + s1.published()
                            + " failures " + s1.publishFailures() + " held " + s1.buffered() + " dropped " + s1.dropped()
                            + "; n2 received " + s2.received() + " subscriptions " + s2.subscriptions(), e);
                }
                long resumedAt = System.nanoTime();
                int resumeFrom = sent.get();
                await().atMost(Duration.ofSeconds(10)).until(() -> sent.get() >= resumeFrom + 50);
                running.set(false);
                sender.join(2000);
                int last = sent.get() - 1;
                await("everything sent after the resume arrives").atMost(Duration.ofSeconds(10))
                        .until(() -> gotThere.containsAll(range(resumeFrom, last)) && gotHere.containsAll(range(0, last)));

                assertThat(gotHere).as("local delivery never stops").containsAll(range(0, last));
                int missed = last + 1 - (int) gotThere.stream().filter(n -> n <= last).count();
                List<Integer> missedAfterKill = range(sentAtKill, last).stream().filter(n -> !gotThere.contains(n)).sorted().toList();
                ClusterStats stats = n1.node().cluster().stats().orElseThrow();
                System.out.printf("%s failover (%s): promoted %d ms after the kill, delivery back %d ms after the"
                                + " promotion; %d of %d broadcasts missed on the other node (%d sent after the kill, which was at"
                                + " #%d); node metrics: held %d, dropped %d,"
                                + " undelivered %d, publish failures %d, reconnects %d, topology refreshes %d%n",
                        uri.startsWith("redis-cluster") ? "Redis Cluster" : "Sentinel", transport,
                        TimeUnit.NANOSECONDS.toMillis(promotedAt - killedAt), TimeUnit.NANOSECONDS.toMillis(resumedAt - promotedAt),
                        missed, last + 1, missedAfterKill.size(), sentAtKill, stats.buffered(), stats.dropped(), stats.undelivered(), stats.publishFailures(),
                        stats.reconnects(), stats.topologyRefreshes());
                // One publisher, in order: what reached the other node before the kill had everything before it.
                assertThat(gotThere).as("nothing sent before the failover is missing").containsAll(range(0, highestBeforeKill));
                if (transport.equals("sharded")) {
                    // SPUBLISH says how many got each message: the publisher's metrics count what the other node missed
                    // from the kill on. One the primary confirmed just before its SIGKILL, with the push to the other
                    // node's connection still in its output buffer, is lost with it after being counted as delivered:
                    // pub/sub's at-most-once window, which no publisher can see.
                    assertThat(stats.undelivered() + stats.dropped())
                            .as("missed broadcasts sent after the kill %s counted by the publishing node", missedAfterKill)
                            .isGreaterThanOrEqualTo(missedAfterKill.size());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            } finally {
                running.set(false);
                sender.interrupt();
            }
        }
    }

    private static Set<Integer> range(int from, int to) {
        Set<Integer> numbers = new java.util.HashSet<>();
        for (int i = from; i <= to; i++) {
            numbers.add(i);
        }
        return numbers;
    }

    private static Thread reader(Client client, Set<Integer> got, AtomicBoolean running) {
        Thread thread = new Thread(() -> {
            while (running.get() || !Thread.currentThread().isInterrupted()) {
                try {
                    Matcher tick = TICK.matcher(client.ws().nextText());
                    if (tick.matches()) {
                        got.add(Integer.parseInt(tick.group(1)));
                    }
                } catch (AssertionError quiet) {
                    if (!running.get()) {
                        return;
                    }
                }
            }
        }, "failover-reader");
        thread.setDaemon(true);
        return thread;
    }
}
