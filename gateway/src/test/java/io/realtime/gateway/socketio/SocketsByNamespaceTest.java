package io.realtime.gateway.socketio;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SocketsByNamespaceTest {

    @Test
    void keepsOneSocketPerNamespaceAndRemovesOnlyTheSocketItHolds() {
        // Distinct instances: removal compares identity.
        String main = new String("main");
        String chat = new String("chat");
        String replaced = new String("chat");
        SocketsByNamespace<String> sockets = new SocketsByNamespace<>();
        assertThat(sockets.isEmpty()).isTrue();

        sockets.put("/", main);
        sockets.put("/chat", replaced);
        sockets.put("/chat", chat);
        var before = sockets.snapshot();
        sockets.remove("/chat", replaced);
        assertThat(sockets.get("/chat")).isSameAs(chat);

        sockets.remove("/chat", chat);
        assertThat(sockets.get("/chat")).isNull();
        assertThat(sockets.values()).containsExactly(main);
        // A snapshot taken before does not change under its reader.
        assertThat(before).containsOnlyKeys("/", "/chat");
        sockets.remove("/", main);
        assertThat(sockets.isEmpty()).isTrue();
    }
}
