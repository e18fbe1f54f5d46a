package io.realtime.cluster;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneId;
import java.util.Date;

import static org.assertj.core.api.Assertions.assertThat;

/** A socket's handshake time reads as socket.io's, a JavaScript Date's toString(), whichever node answers. */
class HandshakeTimeTest {

    @Test
    void theHandshakeTimeIsWrittenAsAJavaScriptDate() {
        Date time = Date.from(Instant.parse("2026-12-04T11:18:31.041Z"));
        assertThat(LocalAdapter.handshakeTime(time, ZoneId.of("UTC")))
                .isEqualTo("Fri Dec 04 2026 11:18:31 GMT+0000 (Coordinated Universal Time)");
        assertThat(LocalAdapter.handshakeTime(time, ZoneId.of("Europe/Paris")))
                .isEqualTo("Fri Dec 04 2026 12:18:31 GMT+0100 (Central European Standard Time)");
    }
}
