package io.realtime.gateway.limits;

import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class TokenBucketTest {

    private final MockTicker clock = Ticker.newMockTicker();

    @Test
    void aFullBucketGivesItsCapacityAtOnceThenRefillsAtItsRate() {
        TokenBucket bucket = new TokenBucket(2, 4, clock);
        for (int i = 0; i < 4; i++) {
            assertThat(bucket.tryTake()).as("token %d of the burst", i).isTrue();
        }
        assertThat(bucket.tryTake()).isFalse();

        clock.advance(499, TimeUnit.MILLISECONDS);
        assertThat(bucket.tryTake()).as("not yet a whole token").isFalse();
        clock.advance(1, TimeUnit.MILLISECONDS);
        assertThat(bucket.tryTake()).isTrue();
        assertThat(bucket.tryTake()).isFalse();
    }

    @Test
    void itNeverHoldsMoreThanItsCapacityAndIsIdleOnceFull() {
        TokenBucket bucket = new TokenBucket(10, 3, clock);
        assertThat(bucket.isIdle()).isTrue();
        bucket.tryTake();
        assertThat(bucket.isIdle()).isFalse();

        clock.advance(1, TimeUnit.HOURS);
        assertThat(bucket.isIdle()).isTrue();
        int taken = 0;
        while (bucket.tryTake()) {
            taken++;
        }
        assertThat(taken).isEqualTo(3);
    }

    @Test
    void theEventLimitsOfAConnection() {
        assertThat(EventLimits.UNLIMITED.newBucket()).isNull();
        TokenBucket bucket = new EventLimits(1, 0, 0).newBucket();
        assertThat(bucket.tryTake()).as("a burst of at least one").isTrue();
        assertThat(bucket.tryTake()).isFalse();
    }
}
