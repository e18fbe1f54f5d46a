package io.realtime.cluster;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class SocketIdsTest {

    @Test
    void aNewIdTravelsAsTwentyBase64UrlCharactersAndBackToTheSameUuid() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            UUID id = SocketIds.newId();
            String wire = SocketIds.wire(id);
            assertThat(wire).matches("[A-Za-z0-9_-]{20}");
            assertThat(SocketIds.parse(wire)).isEqualTo(id);
            assertThat(id.version()).isEqualTo(8);
            assertThat(seen.add(wire)).isTrue();
        }
    }

    @Test
    void everyTwentyCharacterIdNamesExactlyOneUuid() {
        for (String wire : new String[] {"AAAAAAAAAAAAAAAAAAAA", "____________________", "abcdefghij-_0123ABCD"}) {
            assertThat(SocketIds.wire(SocketIds.parse(wire))).isEqualTo(wire);
        }
    }

    @Test
    void otherUuidsKeepTheirFormAndOtherStringsNameNoSocket() {
        UUID random = UUID.randomUUID();
        assertThat(SocketIds.wire(random)).isEqualTo(random.toString());
        assertThat(SocketIds.parse(random.toString())).isEqualTo(random);
        for (String room : new String[] {"lobby", "AAAAAAAAAAAAAAAAAAA=", "AAAAAAAAAAAAAAAAAAA/", "x".repeat(36), "", null}) {
            assertThat(SocketIds.parse(room)).as(room).isNull();
        }
    }
}
