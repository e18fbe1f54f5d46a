package io.realtime.gateway.admin;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

class InMemoryAdminSessionsTest {

    /** A clock the test moves. */
    private static final class ManualClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void aSessionLastsADayAndUnknownOnesNever() {
        ManualClock clock = new ManualClock();
        InMemoryAdminSessions sessions = new InMemoryAdminSessions(clock, AdminSessionFingerprint.of("admin", "$2b$10$old"));
        sessions.save("abc");

        assertThat(sessions.exists("abc").toCompletableFuture().join()).isTrue();
        assertThat(sessions.exists("abd").toCompletableFuture().join()).isFalse();
        clock.now = clock.now.plus(Duration.ofHours(24)).minusMillis(1);
        assertThat(sessions.exists("abc").toCompletableFuture().join()).isTrue();
        clock.now = clock.now.plusMillis(1);
        assertThat(sessions.exists("abc").toCompletableFuture().join()).as("expired").isFalse();
    }
}
