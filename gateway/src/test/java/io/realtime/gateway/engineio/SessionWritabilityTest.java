package io.realtime.gateway.engineio;

import com.corundumstudio.socketio.protocol.EngineIOVersion;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.realtime.gateway.engineio.SessionFixture.answer;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A session is writable (volatile packets reach it) as engine.io's transport is: long-polling only while a poll waits
 * and nothing has been answered on it, a WebSocket unless its connection is backed up.
 */
class SessionWritabilityTest {

    private final SessionFixture fixture = new SessionFixture();

    @AfterEach
    void close() {
        fixture.close();
    }

    @Test
    void aPollingSessionIsWritableOnlyWhileAPollWaits() {
        EngineSession session = fixture.polling(EngineIOVersion.V4);
        assertThat(session.isWritable()).as("before the handshake's poll").isFalse();
        assertThat(answer(fixture.poll(session))).startsWith("0{");
        assertThat(session.isWritable()).as("between polls").isFalse();

        EmbeddedChannel waiting = fixture.poll(session);
        assertThat(answer(waiting)).isNull();
        assertThat(session.isWritable()).as("a poll waits").isTrue();

        session.send(List.of(EnginePacket.message("first")));
        assertThat(answer(waiting)).isEqualTo("4first");
        assertThat(session.isWritable()).as("its poll answered").isFalse();

        EmbeddedChannel next = fixture.poll(session);
        assertThat(session.isWritable()).isTrue();
        session.send(List.of(EnginePacket.message("second")));
        assertThat(answer(next)).isEqualTo("4second");
        assertThat(session.isWritable()).isFalse();
    }

    @Test
    void aPollingClientPausedToUpgradeIsNotWritableUntilTheWebSocketTakesOver() {
        EngineSession session = fixture.polling(EngineIOVersion.V4);
        assertThat(answer(fixture.poll(session))).startsWith("0{");
        EmbeddedChannel waiting = fixture.poll(session);
        assertThat(session.isWritable()).isTrue();

        EmbeddedChannel webSocket = fixture.channel();
        WebSocketTransport probe = new WebSocketTransport(session, webSocket);
        session.attachProbe(probe);
        probe.onText("2probe", 6);
        TextWebSocketFrame pong = webSocket.readOutbound();
        pong.release();
        assertThat(answer(waiting)).as("paused: the waiting poll returns").isEqualTo("6");
        assertThat(session.isWritable()).as("the transport is still polling, with no poll").isFalse();

        probe.onText("5", 1);
        assertThat(session.isWritable()).as("upgraded to a WebSocket").isTrue();
    }

    @Test
    void aWebSocketSessionIsWritableUnlessItsConnectionIsBackedUp() {
        EmbeddedChannel webSocket = fixture.channel();
        EngineSession session = fixture.webSocket(webSocket);
        assertThat(session.isWritable()).isTrue();
        session.send(List.of(EnginePacket.message("one")));
        session.send(List.of(EnginePacket.message("two")));
        assertThat(session.isWritable()).as("after sends that went out").isTrue();
    }
}
