package io.realtime.gateway.server;

import com.corundumstudio.socketio.scheduler.SchedulerKey;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** netty-socketio's keyed tasks (ack timeouts) on event loops other than the caller's thread. */
class EventLoopSchedulerTest {

    private final DefaultEventLoopGroup loops = new DefaultEventLoopGroup(2);
    private final EventLoopScheduler scheduler = new EventLoopScheduler(loops);

    @AfterEach
    void stop() {
        loops.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /**
     * A task due at once may run on its loop before {@code schedule} has returned to its caller's thread: it used to
     * remove its entry before the entry was put, which then stayed in the map for good (one per ack answered fast).
     */
    @Test
    void tasksDueAtOnceOnOtherLoopsLeaveNoEntryBehind() throws InterruptedException {
        int tasks = 50_000;
        CountDownLatch ran = new CountDownLatch(tasks);
        for (int i = 0; i < tasks; i++) {
            scheduler.schedule(new SchedulerKey(SchedulerKey.Type.ACK_TIMEOUT, i), ran::countDown, 0, TimeUnit.MILLISECONDS);
        }

        assertThat(ran.await(30, TimeUnit.SECONDS)).as("every task ran").isTrue();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(scheduler.size()).isZero());
    }

    @Test
    void aCancelledOrReplacedTaskDoesNotRunAndLeavesNoEntry() throws InterruptedException {
        SchedulerKey cancelled = new SchedulerKey(SchedulerKey.Type.ACK_TIMEOUT, "cancelled");
        SchedulerKey replaced = new SchedulerKey(SchedulerKey.Type.ACK_TIMEOUT, "replaced");
        AtomicInteger wrongRuns = new AtomicInteger();
        CountDownLatch replacementRan = new CountDownLatch(1);

        scheduler.schedule(cancelled, wrongRuns::incrementAndGet, 200, TimeUnit.MILLISECONDS);
        scheduler.cancel(cancelled);
        scheduler.schedule(replaced, wrongRuns::incrementAndGet, 200, TimeUnit.MILLISECONDS);
        scheduler.schedule(replaced, replacementRan::countDown, 0, TimeUnit.MILLISECONDS);

        assertThat(replacementRan.await(5, TimeUnit.SECONDS)).isTrue();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(scheduler.size()).isZero());
        // Both were due after 200 ms: once a task due later has run on each loop, they would have run before it.
        for (EventExecutor loop : loops) {
            loop.schedule(() -> { }, 300, TimeUnit.MILLISECONDS).syncUninterruptibly();
        }
        assertThat(wrongRuns).hasValue(0);
    }
}
