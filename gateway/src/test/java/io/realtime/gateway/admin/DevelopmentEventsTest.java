package io.realtime.gateway.admin;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** The Admin UI's event times read as a JavaScript Date's JSON, as socket.io's nodes write them. */
class DevelopmentEventsTest {

    @Test
    void timesAreWrittenToTheMillisecondAsJavaScriptDoes() {
        assertThat(DevelopmentEvents.timestamp(Instant.parse("2026-12-04T11:18:50.041745204Z")))
                .isEqualTo("2026-12-04T11:18:50.041Z");
        assertThat(DevelopmentEvents.timestamp(Instant.parse("2026-12-04T11:18:50Z")))
                .isEqualTo("2026-12-04T11:18:50.000Z");
    }
}
