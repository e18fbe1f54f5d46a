package io.realtime.gateway.socketio;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ErrorRepliesTest {

    @Test
    void aRefusalQuotesAShortNameWholeAndALongOneCut() {
        assertThat(ErrorReplies.quoted("chatToRoom")).isEqualTo("'chatToRoom'");
        String huge = "e".repeat(100_000);
        assertThat(ErrorReplies.quoted(huge)).hasSize(ErrorReplies.NAME_SHOWN + 3).startsWith("'eee").endsWith("…'");
    }
}
