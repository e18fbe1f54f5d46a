package io.realtime.cluster.redis;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Own entries whose append failed are skipped each time they are read back; the oldest are forgotten first. */
class FailedAppendsTest {

    @Test
    void anEntryIsSkippedEachTimeItIsReadBack() {
        FailedAppends failed = new FailedAppends(10, Duration.ofMinutes(5));
        assertThat(failed.failed("1")).as("nothing failed").isFalse();

        failed.remember("1");
        failed.remember("1");
        assertThat(failed.failed("2")).isFalse();
        assertThat(failed.failed("1")).isTrue();
        assertThat(failed.failed("1")).as("appended again after its answer was lost, it comes back twice").isTrue();
    }

    /** The outage buffer keeps the newest entries and appends them when Redis is back: those must be known here. */
    @Test
    void beyondItsCapacityTheOldestAreForgottenNotTheNewest() {
        FailedAppends failed = new FailedAppends(3, Duration.ofMinutes(5));
        for (int seq = 1; seq <= 5; seq++) {
            failed.remember(Integer.toString(seq));
        }

        assertThat(failed.failed("1")).isFalse();
        assertThat(failed.failed("2")).isFalse();
        assertThat(failed.failed("3")).isTrue();
        assertThat(failed.failed("4")).isTrue();
        assertThat(failed.failed("5")).isTrue();
    }

    @Test
    void beyondItsHorizonAnEntryIsForgotten() {
        FailedAppends failed = new FailedAppends(10, Duration.ofMillis(20));
        long start = System.nanoTime();
        failed.remember("old");
        await().atMost(Duration.ofSeconds(2)).until(() -> System.nanoTime() - start > Duration.ofMillis(40).toNanos());
        failed.remember("new");

        assertThat(failed.failed("old")).isFalse();
        assertThat(failed.failed("new")).isTrue();
    }
}
