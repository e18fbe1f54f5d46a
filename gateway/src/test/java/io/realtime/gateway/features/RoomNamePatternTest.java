package io.realtime.gateway.features;

import org.junit.jupiter.api.Test;

import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Room names are checked as the AsyncAPI document's {@code ^\S{1,64}$} reads in a JSON Schema validator (ECMA-262,
 * Unicode mode): the expectations are what Node 20 answers for {@code /^\S{1,64}$/u}.
 */
class RoomNamePatternTest {

    private static boolean valid(String room) {
        return Pattern.matches(Limits.ROOM_PATTERN, room);
    }

    @Test
    void whiteSpaceIsWhatECMAScriptCallsSo() {
        assertThat(valid("lobby")).isTrue();
        assertThat(valid("a b")).isFalse();
        assertThat(valid("a\u3000b")).isFalse();
        assertThat(valid("\ufeff")).as("U+FEFF, white space to ECMAScript").isFalse();
        assertThat(valid("\u0085")).as("U+0085, not white space to ECMAScript").isTrue();
        assertThat(valid("\u180e")).isTrue();
        assertThat(valid("")).isFalse();
    }

    @Test
    void theLengthCountsCodePoints() {
        assertThat(valid("😀".repeat(64))).isTrue();
        assertThat(valid("😀".repeat(65))).isFalse();
        assertThat(valid("r".repeat(64))).isTrue();
        assertThat(valid("r".repeat(65))).isFalse();
    }
}
