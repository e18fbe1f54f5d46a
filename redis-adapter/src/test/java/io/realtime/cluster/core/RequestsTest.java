package io.realtime.cluster.core;

import io.realtime.cluster.ClusterObserver;
import io.realtime.cluster.ClusterStats;
import io.realtime.cluster.ClusterUnavailableException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Requests waiting for other servers, answered, failed and timed out from different threads. */
class RequestsTest {

    /** A scheduler whose {@code schedule} waits for the test: the moment between listing a request and its timer. */
    private static final class HeldScheduler extends ScheduledThreadPoolExecutor {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        HeldScheduler() {
            super(1);
        }

        @Override
        public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            entered.countDown();
            try {
                release.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return super.schedule(command, delay, unit);
        }
    }

    private final HeldScheduler scheduler = new HeldScheduler();

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    /** Monitors the calling thread holds now. */
    private static int monitorsHeld() {
        return java.lang.management.ManagementFactory.getThreadMXBean()
                .getThreadInfo(new long[] {Thread.currentThread().getId()}, true, false)[0].getLockedMonitors().length;
    }

    @Test
    void theCallersCallbacksRunHoldingNoLockOfTheRequest() {
        Requests requests = new Requests(scheduler, ClusterObserver.NONE, new ClusterStats("test"));
        scheduler.release.countDown();
        List<Integer> held = new java.util.concurrent.CopyOnWriteArrayList<>();
        requests.start("answered", "fetchSockets", 1, List.of(), Duration.ofMinutes(1))
                .whenComplete((all, failure) -> held.add(monitorsHeld()));
        requests.start("timed-out", "fetchSockets", 1, List.of(), Duration.ofMillis(10))
                .whenComplete((all, failure) -> held.add(monitorsHeld()));
        requests.answer("answered", "n2", List.of("s"));
        await().atMost(Duration.ofSeconds(5)).until(() -> held.size() == 2);
        assertThat(held).containsExactly(0, 0);
    }

    @Test
    void aRequestFailedBeforeItsTimerIsSetStillFailsAndSoDoTheOthers() throws Exception {
        Requests requests = new Requests(scheduler, ClusterObserver.NONE, new ClusterStats("test"));
        scheduler.release.countDown();
        CompletableFuture<List<Object>> other = requests.start("other", "fetchSockets", 1, List.of(), Duration.ofMinutes(1));
        HeldScheduler held = new HeldScheduler();
        try {
            Requests racing = new Requests(held, ClusterObserver.NONE, new ClusterStats("test"));
            CompletableFuture<CompletableFuture<List<Object>>> started = CompletableFuture.supplyAsync(
                    () -> racing.start("r1", "fetchSockets", 2, List.of("mine"), Duration.ofMinutes(1)));
            held.entered.await(5, TimeUnit.SECONDS);
            // The connection is lost while the request is listed but its timer not yet set.
            racing.failAll(() -> new ClusterUnavailableException("lost", null));
            racing.answer("r1", "n2", List.of("late"));
            held.release.countDown();

            CompletableFuture<List<Object>> request = started.get(5, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(5)).until(request::isDone);
            assertThatThrownBy(request::join).cause().isInstanceOf(ClusterUnavailableException.class);
            assertThat(racing.isPending("r1")).isFalse();
        } finally {
            held.shutdownNow();
        }
        requests.failAll(() -> new ClusterUnavailableException("lost", null));
        assertThat(other).isCompletedExceptionally();
    }

    @Test
    void aRequestWhoseTimeoutCannotBeScheduledFailsAndIsNotKept() {
        ClusterStats stats = new ClusterStats("test");
        Requests requests = new Requests(scheduler, ClusterObserver.NONE, stats);
        // The link closed: its scheduler refuses every task.
        scheduler.release.countDown();
        scheduler.shutdownNow();

        CompletableFuture<List<Object>> request = requests.start("r0", "fetchSockets", 1, List.of("mine"), Duration.ofMinutes(1));

        assertThat(request).isCompletedExceptionally();
        assertThatThrownBy(request::join).cause().isInstanceOf(ClusterUnavailableException.class);
        assertThat(requests.isPending("r0")).isFalse();
        assertThat(stats.requestFailures()).isEqualTo(1);
    }

    @Test
    void aServerThatAnswersTwiceCountsOnce() {
        scheduler.release.countDown();
        Requests requests = new Requests(scheduler, ClusterObserver.NONE, new ClusterStats("test"));
        CompletableFuture<List<Object>> request = requests.start("r2", "fetchSockets", 2, List.of("mine"), Duration.ofMinutes(1));

        requests.answer("r2", "n2", List.of("two"));
        requests.answer("r2", "n2", List.of("two"));
        assertThat(request).as("one of two servers answered").isNotDone();

        requests.answer("r2", "n3", List.of("three"));
        assertThat(request.join()).containsExactlyInAnyOrder("mine", "two", "three");
    }

    @Test
    void answersThatNameNoServerEachCount() {
        scheduler.release.countDown();
        Requests requests = new Requests(scheduler, ClusterObserver.NONE, new ClusterStats("test"));
        CompletableFuture<List<Object>> request = requests.start("r3", "allRooms", 2, List.of(), Duration.ofMinutes(1));

        requests.answer("r3", null, List.of("a"));
        requests.answer("r3", null, List.of("b"));
        assertThat(request.join()).containsExactlyInAnyOrder("a", "b");
    }
}
