package io.realtime.gateway.admin;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class InMemoryAdminSessionsTest {

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
