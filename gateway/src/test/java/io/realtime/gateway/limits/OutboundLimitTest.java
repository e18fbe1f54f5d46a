package io.realtime.gateway.limits;

import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OutboundLimitTest {

    @Test
    void aSixteenthOfTheLimitIsTheHighWaterMarkAndTheWritableThreshold() {
        OutboundLimit limit = OutboundLimit.of(4L << 20);
        assertThat(limit.waterMark().high()).isEqualTo(256 * 1024);
        assertThat(limit.waterMark().low()).isEqualTo(128 * 1024);
        assertThat(limit.isWritable(256 * 1024 - 1)).isTrue();
        assertThat(limit.isWritable(256 * 1024)).isFalse();
        assertThat(limit.isExceeded(4L << 20)).isFalse();
        assertThat(limit.isExceeded((4L << 20) + 1)).isTrue();
    }

    @Test
    void noLimitKeepsNettysWaterMarksAndDropsNobody() {
        assertThat(OutboundLimit.of(0)).isSameAs(OutboundLimit.NONE);
        assertThat(OutboundLimit.NONE.waterMark()).isSameAs(WriteBufferWaterMark.DEFAULT);
        assertThat(OutboundLimit.NONE.isWritable(Long.MAX_VALUE)).isTrue();
        assertThat(OutboundLimit.NONE.isExceeded(Long.MAX_VALUE)).isFalse();
        assertThatThrownBy(() -> OutboundLimit.of(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-1");
    }

    @Test
    void theGuardWatchesWhileUnwritableAndDropsAfterTheGrace() {
        EmbeddedChannel loop = new EmbeddedChannel();
        loop.freezeTime();
        AtomicLong waiting = new AtomicLong(5000);
        AtomicBoolean writable = new AtomicBoolean(false);
        AtomicInteger drops = new AtomicInteger();
        SlowConsumerGuard guard = new SlowConsumerGuard(loop.eventLoop(), OutboundLimit.of(1000), waiting::get,
                writable::get, drops::incrementAndGet);

        guard.onUnwritable();
        advance(loop, 500);
        advance(loop, OutboundLimit.GRACE.toMillis());
        assertThat(drops).as("over the limit, seen first after a quarter of the grace, for the grace").hasValue(0);
        advance(loop, 500);
        assertThat(drops).hasValue(1);
        advance(loop, 5000);
        assertThat(drops).as("once").hasValue(1);

        waiting.set(5000);
        guard.onUnwritable();
        advance(loop, 1000);
        waiting.set(10);
        writable.set(true);
        advance(loop, 500);
        waiting.set(5000);
        advance(loop, 5000);
        assertThat(drops).as("forgiven, and no longer watched once writable").hasValue(1);
        loop.finishAndReleaseAll();
    }

    private static void advance(EmbeddedChannel loop, long millis) {
        loop.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        loop.runScheduledPendingTasks();
    }
}
