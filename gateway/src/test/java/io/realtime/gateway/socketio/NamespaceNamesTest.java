package io.realtime.gateway.socketio;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class NamespaceNamesTest {

    @Test
    void theMainNamespaceIsSlashOnTheWireAndEmptyInNettySocketIo() {
        assertThat(NamespaceNames.wire("")).isEqualTo("/");
        assertThat(NamespaceNames.wire((String) null)).isEqualTo("/");
        assertThat(NamespaceNames.nettySocketIo("/")).isEmpty();
    }

    @Test
    void otherNamespacesKeepTheirNameBothWays() {
        assertThat(NamespaceNames.wire("/chat")).isEqualTo("/chat");
        assertThat(NamespaceNames.nettySocketIo("/chat")).isEqualTo("/chat");
        assertThat(NamespaceNames.wire(NamespaceNames.nettySocketIo("/"))).isEqualTo("/");
    }
}
