package io.realtime.gateway.engineio;

import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class DeadlineQueueTest {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long DURATION = 100 * MS;
    private static final long TICK = 10 * MS;

    private final EmbeddedChannel loop = new EmbeddedChannel();
    private final DeadlineQueue queue;
    /** Each expiry: the entry's name and the loop's time then, in ms past the first tick boundary. */
    private final List<String> expired = new ArrayList<>();
    private final long start;

    DeadlineQueueTest() {
        loop.freezeTime();
        queue = new DeadlineQueue(loop.eventLoop(), DURATION, TICK);
        // Every test starts on a tick boundary of the loop's clock.
        loop.advanceTimeBy(TICK - Math.floorMod(now(), TICK), TimeUnit.NANOSECONDS);
        start = now();
    }

    @AfterEach
    void close() {
        loop.finishAndReleaseAll();
    }

    private long now() {
        return loop.eventLoop().ticker().nanoTime();
    }

    private void advanceMillis(long millis) {
        for (long i = 0; i < millis; i++) {
            loop.advanceTimeBy(1, TimeUnit.MILLISECONDS);
            loop.runScheduledPendingTasks();
        }
    }

    private final class Named extends DeadlineQueue.Entry {
        private final String name;

        Named(String name) {
            this.name = name;
        }

        @Override
        void expired(DeadlineQueue from) {
            assertThat(from).isSameAs(queue);
            assertThat(queue()).isNull();
            expired.add(name + "@" + (now() - start) / MS);
        }
    }

    @Test
    void waitsEndingWithinOneTickExpireTogetherAtItsEndInTheOrderTheyStarted() {
        advanceMillis(1);
        queue.add(new Named("a"));
        advanceMillis(5);
        queue.add(new Named("b"));
        advanceMillis(5);
        queue.add(new Named("c"));

        advanceMillis(98);
        assertThat(expired).isEmpty();
        advanceMillis(1);
        assertThat(expired).containsExactly("a@110", "b@110");
        advanceMillis(10);
        assertThat(expired).containsExactly("a@110", "b@110", "c@120");
        assertThat(queue.isEmpty()).isTrue();
    }

    @Test
    void aWaitEndedEarlyNeverExpiresAndAddingAgainStartsItOver() {
        Named first = new Named("first");
        Named middle = new Named("middle");
        Named last = new Named("last");
        queue.add(first);
        queue.add(middle);
        queue.add(last);
        queue.remove(middle);
        advanceMillis(50);
        queue.add(first);

        advanceMillis(50);
        assertThat(expired).containsExactly("last@100");
        advanceMillis(50);
        assertThat(expired).containsExactly("last@100", "first@150");
        assertThat(middle.queue()).isNull();
    }

    @Test
    void anEntryMovesBetweenQueuesAndRemovingItFromTheOtherDoesNothing() {
        DeadlineQueue other = new DeadlineQueue(loop.eventLoop(), 3 * DURATION, TICK);
        Named entry = new Named("moved");
        queue.add(entry);
        other.add(entry);
        queue.remove(entry);

        assertThat(queue.isEmpty()).isTrue();
        assertThat(entry.queue()).isSameAs(other);
        advanceMillis(150);
        assertThat(expired).isEmpty();
        other.remove(entry);
        assertThat(other.isEmpty()).isTrue();
    }

    @Test
    void aFailingExpiryDoesNotHoldUpTheOthersAndAnExpiryMayEndAnotherWait() {
        Named survivor = new Named("survivor");
        Named ended = new Named("ended");
        queue.add(new DeadlineQueue.Entry() {
            @Override
            void expired(DeadlineQueue from) {
                throw new IllegalStateException("expected by the test");
            }
        });
        queue.add(new DeadlineQueue.Entry() {
            @Override
            void expired(DeadlineQueue from) {
                from.remove(ended);
                from.add(this);
            }
        });
        queue.add(ended);
        queue.add(survivor);

        advanceMillis(100);
        assertThat(expired).containsExactly("survivor@100");
        assertThat(queue.isEmpty()).isFalse();
        advanceMillis(100);
        assertThat(expired).containsExactly("survivor@100");
        assertThat(queue.isEmpty()).isFalse();
    }

    @Test
    void anEmptyQueueStopsWakingTheLoop() {
        Named entry = new Named("gone");
        queue.add(entry);
        queue.remove(entry);
        advanceMillis(100);

        assertThat(loop.runScheduledPendingTasks()).isEqualTo(-1);
    }
}
