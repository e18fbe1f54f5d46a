package io.realtime.gateway.engineio;

import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.protocol.EngineIOVersion;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.realtime.gateway.engineio.SessionFixture.HEARTBEAT_TICK;
import static io.realtime.gateway.engineio.SessionFixture.PING_INTERVAL;
import static io.realtime.gateway.engineio.SessionFixture.PING_TIMEOUT;
import static io.realtime.gateway.engineio.SessionFixture.UPGRADE_TIMEOUT;
import static io.realtime.gateway.engineio.SessionFixture.answer;
import static io.realtime.gateway.engineio.SessionFixture.nextFrameText;
import static org.assertj.core.api.Assertions.assertThat;

/** The session's state machine, on an embedded event loop whose clock the test moves. */
class EngineSessionTest {

    private final SessionFixture fixture = new SessionFixture();

    @AfterEach
    void close() {
        fixture.close();
    }

    private EngineSession handshaken() {
        EngineSession session = fixture.polling(EngineIOVersion.V4);
        assertThat(answer(fixture.poll(session))).startsWith("0{");
        return session;
    }

    @Test
    void theHandshakeAnswersOpenWithTheOptionsAndTheUpgrade() {
        EngineSession session = fixture.polling(EngineIOVersion.V4);

        assertThat(answer(fixture.poll(session))).isEqualTo("0{\"sid\":\"" + session.id()
                + "\",\"upgrades\":[\"websocket\"],\"pingInterval\":1000,\"pingTimeout\":500,\"maxPayload\":1000000}");
        assertThat(session.transport()).isEqualTo(Transport.POLLING);
        assertThat(fixture.registry.get(session.id().toString())).isSameAs(session);
    }

    @Test
    void aHandlerErrorClosesTheSessionAsAnExceptionDoesWhileTheNodeGoesOn() {
        EngineSession session = handshaken();
        List<String> closed = new java.util.ArrayList<>();
        session.setListener(new EngineSession.Listener() {
            @Override
            public void onMessage(EngineSession s, String text) {
                throw new AssertionError("a handler's own check");
            }

            @Override
            public void onClose(EngineSession s, io.realtime.gateway.stats.DisconnectReason reason) {
                closed.add(reason.text());
            }
        });

        fixture.post(session, "4hello");

        assertThat(session.isOpen()).isFalse();
        assertThat(closed).containsExactly("server error");
        assertThat(fixture.registry.size()).isZero();
    }

    @Test
    void packetsQueuedBetweenPollsLeaveTogetherAndAWaitingPollIsAnsweredAtOnce() {
        EngineSession session = handshaken();
        session.send(List.of(EnginePacket.message("a"), EnginePacket.message("b")));
        assertThat(answer(fixture.poll(session))).isEqualTo("4a\u001e4b");

        EmbeddedChannel waiting = fixture.poll(session);
        assertThat(answer(waiting)).isNull();
        assertThat(session.hasPendingPoll()).isTrue();
        session.send(List.of(EnginePacket.message("c")));
        assertThat(answer(waiting)).isEqualTo("4c");
        assertThat(session.hasPendingPoll()).isFalse();
    }

    @Test
    void aPongKeepsTheSessionAndAMissingOneClosesItAfterPingTimeout() {
        EngineSession session = handshaken();
        EmbeddedChannel waiting = fixture.poll(session);

        fixture.advance(PING_INTERVAL - 1);
        assertThat(waiting.<Object>readOutbound()).isNull();
        fixture.advance(1 + HEARTBEAT_TICK);
        assertThat(answer(waiting)).isEqualTo("2");
        assertThat(fixture.post(session, "3")).isEqualTo(200);
        fixture.advance(PING_TIMEOUT + HEARTBEAT_TICK);
        assertThat(session.isOpen()).isTrue();

        fixture.advance(PING_INTERVAL - PING_TIMEOUT);
        assertThat(answer(fixture.poll(session))).isEqualTo("2");
        fixture.advance(PING_TIMEOUT - HEARTBEAT_TICK - 1);
        assertThat(session.isOpen()).isTrue();
        fixture.advance(2 * HEARTBEAT_TICK + 1);
        assertThat(session.isOpen()).isFalse();
        assertThat(fixture.closeReasons).containsExactly("ping timeout");
        assertThat(fixture.registry.size()).isZero();
    }

    @Test
    void anotherPacketDuringThePongWaitStartsItAgainOncePerPing() {
        EngineSession session = handshaken();
        EmbeddedChannel waiting = fixture.poll(session);
        fixture.advance(PING_INTERVAL + HEARTBEAT_TICK);
        assertThat(answer(waiting)).isEqualTo("2");

        // The pong is held behind a message, as behind a long upload: the wait starts again at the message.
        fixture.advance(PING_TIMEOUT * 4 / 5);
        assertThat(fixture.post(session, "4first")).isEqualTo(200);
        fixture.advance(PING_TIMEOUT * 4 / 5);
        assertThat(session.isOpen()).as("past pingTimeout after the ping, within it after the message").isTrue();
        // Once per ping: a second message does not start it again.
        assertThat(fixture.post(session, "4second")).isEqualTo(200);
        fixture.advance(PING_TIMEOUT / 5 + 2 * HEARTBEAT_TICK);
        assertThat(session.isOpen()).isFalse();
        assertThat(fixture.closeReasons).containsExactly("ping timeout");
        assertThat(fixture.messages).containsExactly("first", "second");
    }

    @Test
    void pingsDueWithinOneTickGoOutTogether() {
        EmbeddedChannel first = fixture.channel();
        EmbeddedChannel second = fixture.channel();
        // 1 and 2 ms past a tick of the loop's clock: the two deadlines fall within one tick.
        long tick = Heartbeat.Queues.tick(fixture.registry.options()).toNanos();
        fixture.loop.advanceTimeBy(tick - Math.floorMod(fixture.loop.eventLoop().ticker().nanoTime(), tick), TimeUnit.NANOSECONDS);
        fixture.advance(1);
        fixture.webSocket(first);
        fixture.advance(1);
        fixture.webSocket(second);
        first.releaseOutbound();
        second.releaseOutbound();

        for (long waited = 0; waited < PING_INTERVAL + HEARTBEAT_TICK; waited++) {
            fixture.advance(1);
            boolean firstPinged = !first.outboundMessages().isEmpty();
            boolean secondPinged = !second.outboundMessages().isEmpty();
            assertThat(firstPinged).as("both pinged in one wake-up, after %d ms", waited + 1).isEqualTo(secondPinged);
        }
        assertThat(nextFrameText(first)).isEqualTo("2");
        assertThat(nextFrameText(second)).isEqualTo("2");
    }

    @Test
    void anEngineIoV3ClientPingsAndIsClosedWhenItStops() {
        EngineSession session = fixture.polling(EngineIOVersion.V3);
        answer(fixture.poll(session));
        fixture.advance(PING_INTERVAL);
        assertThat(fixture.post(session, "1:2")).isEqualTo(200);
        assertThat(answer(fixture.poll(session))).isEqualTo("1:3");

        fixture.advance(PING_INTERVAL + PING_TIMEOUT);
        assertThat(fixture.closeReasons).containsExactly("ping timeout");
    }

    /** Only the server pings in Engine.IO 4: answering each client ping would queue pongs for a client that never polls. */
    @Test
    void anEngineIoV4ClientsPingIsAProtocolErrorThatEndsItsSession() {
        EngineSession session = handshaken();
        EmbeddedChannel waiting = fixture.poll(session);

        assertThat(fixture.post(session, "2\u001e2\u001e2")).isEqualTo(200);

        assertThat(session.isOpen()).isFalse();
        assertThat(fixture.closeReasons).containsExactly("parse error");
        assertThat(answer(waiting)).isEqualTo("1");
        assertThat(fixture.registry.size()).isZero();
    }

    @Test
    void anEngineIoV3ClientsPingsNotYetAnsweredAreAnsweredByOnePong() {
        EngineSession session = fixture.polling(EngineIOVersion.V3);
        answer(fixture.poll(session));

        assertThat(fixture.post(session, "1:2".repeat(1000))).isEqualTo(200);
        assertThat(fixture.post(session, "1:2")).isEqualTo(200);

        assertThat(answer(fixture.poll(session))).as("one pong for the 1,001 pings").isEqualTo("1:3");
        assertThat(fixture.post(session, "1:2")).isEqualTo(200);
        assertThat(answer(fixture.poll(session))).as("pinged again after the pong went out").isEqualTo("1:3");
        assertThat(session.isOpen()).isTrue();
    }

    @Test
    void messagesPostedReachTheListenerAndAClosePacketEndsTheSession() {
        EngineSession session = handshaken();
        EmbeddedChannel waiting = fixture.poll(session);

        assertThat(fixture.post(session, "4hello\u001e4world")).isEqualTo(200);
        assertThat(fixture.messages).containsExactly("hello", "world");

        assertThat(fixture.post(session, "1")).isEqualTo(200);
        assertThat(answer(waiting)).isEqualTo("6");
        assertThat(fixture.closeReasons).containsExactly("transport close");
    }

    @Test
    void overlappingPollsAreRefusedAndEndTheSession() {
        EngineSession session = handshaken();
        EmbeddedChannel first = fixture.poll(session);
        EmbeddedChannel second = fixture.poll(session);

        FullHttpResponse refused = second.readOutbound();
        assertThat(refused.status().code()).isEqualTo(400);
        refused.release();
        assertThat(answer(first)).isEqualTo("1");
        assertThat(fixture.closeReasons).containsExactly("transport error");
    }

    @Test
    void aServerCloseReachesAPollingClientWithWhatWasQueuedOnItsNextPoll() {
        EngineSession session = handshaken();
        session.send(List.of(EnginePacket.message("last")));
        session.close();
        assertThat(session.isOpen()).as("closing until the client has heard").isTrue();
        session.send(List.of(EnginePacket.message("too late")));

        assertThat(answer(fixture.poll(session))).isEqualTo("4last\u001e1");
        assertThat(fixture.closeReasons).containsExactly("forced close");
        FullHttpResponse gone = fixture.poll(session).readOutbound();
        assertThat(gone.status().code()).isEqualTo(400);
        gone.release();
    }

    @Test
    void anEventPostedWhileTheSessionClosesIsNotRun() {
        EngineSession session = handshaken();
        session.close();

        // Its ack could no longer reach the client, which would send the event again once reconnected.
        assertThat(fixture.post(session, "42[\"order\"]")).isEqualTo(200);
        assertThat(fixture.messages).isEmpty();
        assertThat(answer(fixture.poll(session))).isEqualTo("1");
        assertThat(fixture.closeReasons).containsExactly("forced close");
    }

    @Test
    void aPollingClientThatNeverPollsAgainIsClosedAfterPingTimeout() {
        EngineSession session = handshaken();
        session.close();
        fixture.advance(PING_TIMEOUT);
        assertThat(session.isOpen()).isFalse();
        assertThat(fixture.closeReasons).containsExactly("forced close");
    }

    @Test
    void aClosePostedWhileTheServerCloseWaitsForAPollEndsTheSessionAtOnce() {
        EngineSession session = handshaken();
        session.close();
        assertThat(session.isOpen()).as("closing: the close packet waits for the next poll").isTrue();

        // engine.io's polling transport acts on the client's close whatever the socket's state: "transport close".
        assertThat(fixture.post(session, "1")).isEqualTo(200);
        assertThat(session.isOpen()).isFalse();
        assertThat(fixture.registry.size()).as("no longer counted").isZero();
        assertThat(fixture.closeReasons).containsExactly("transport close");
        fixture.advance(PING_TIMEOUT);
        assertThat(fixture.closeReasons).as("said once").containsExactly("transport close");
    }

    @Test
    void aServerCloseOfAWebSocketSendsWhatIsQueuedThenACloseFrame() {
        EmbeddedChannel webSocket = fixture.channel();
        EngineSession session = fixture.webSocket(webSocket);
        assertThat(nextFrameText(webSocket)).startsWith("0{\"sid\":\"" + session.id() + "\",\"upgrades\":[]");

        session.send(List.of(EnginePacket.message("bye")));
        session.close();

        assertThat(nextFrameText(webSocket)).isEqualTo("4bye");
        CloseWebSocketFrame close = webSocket.readOutbound();
        assertThat(close.statusCode()).isEqualTo(1000);
        close.release();
        assertThat(webSocket.isOpen()).isFalse();
        assertThat(fixture.closeReasons).containsExactly("forced close");
    }

    @Test
    void aWebSocketSessionClosedBeforeItsHandshakeIsAnsweredEndsAtOnceWithItsConnection() {
        EngineSession session = fixture.registry.create(EngineIOVersion.V4, fixture.loop.eventLoop(),
                java.net.InetAddress.getLoopbackAddress());
        EmbeddedChannel webSocket = fixture.channel();
        session.open(new WebSocketTransport(session, webSocket));
        session.send(List.of(EnginePacket.message("never sent")));

        session.close();
        assertThat(session.isOpen()).isFalse();
        assertThat(fixture.registry.size()).isZero();
        assertThat((Object) webSocket.readOutbound()).as("no frame before the handshake").isNull();
        assertThat(webSocket.isOpen()).isFalse();
    }

    @Test
    void theProbeIsAnsweredTheWaitingPollReleasedAndUpgradeMovesTheQueueToTheWebSocket() {
        EngineSession session = handshaken();
        EmbeddedChannel waiting = fixture.poll(session);
        EmbeddedChannel webSocket = fixture.channel();
        WebSocketTransport probe = new WebSocketTransport(session, webSocket);
        session.attachProbe(probe);

        probe.onText("2probe", 6);
        TextWebSocketFrame pong = webSocket.readOutbound();
        assertThat(pong.text()).isEqualTo("3probe");
        pong.release();
        assertThat(answer(waiting)).as("paused: the waiting poll returns").isEqualTo("6");
        assertThat(answer(fixture.poll(session))).as("a poll while pausing returns at once").isEqualTo("6");

        session.send(List.of(EnginePacket.message("queued")));
        probe.onText("5", 1);
        assertThat(session.transport()).isEqualTo(Transport.WEBSOCKET);
        assertThat(nextFrameText(webSocket)).isEqualTo("4queued");

        probe.onText("4over websocket", 15);
        assertThat(fixture.messages).containsExactly("over websocket");
        FullHttpResponse late = fixture.poll(session).readOutbound();
        assertThat(late.status().code()).as("polling is over").isEqualTo(400);
        late.release();
    }

    @Test
    void aSessionClosedWhileItsClientPausedToUpgradeSaysSoOverTheWebSocket() {
        EngineSession session = handshaken();
        EmbeddedChannel webSocket = fixture.channel();
        WebSocketTransport probe = new WebSocketTransport(session, webSocket);
        session.attachProbe(probe);
        probe.onText("2probe", 6);
        ((TextWebSocketFrame) webSocket.readOutbound()).release();

        // The client no longer polls: what the close queues can only reach it once the upgrade completes.
        session.send(List.of(EnginePacket.message("41")));
        session.close();
        probe.onText("5", 1);

        assertThat(nextFrameText(webSocket)).isEqualTo("441");
        assertThat(nextFrameText(webSocket)).isEqualTo("1");
        assertThat(session.isOpen()).isFalse();
        assertThat(fixture.closeReasons).containsExactly("forced close");
    }

    @Test
    void anUpgradeThatEndsAClosingSessionIsReportedBeforeTheClose() {
        EngineSession session = handshaken();
        List<String> heard = new java.util.ArrayList<>();
        session.setListener(new EngineSession.Listener() {
            @Override
            public void onUpgrade(EngineSession s) {
                heard.add("upgrade");
            }

            @Override
            public void onClose(EngineSession s, io.realtime.gateway.stats.DisconnectReason reason) {
                heard.add("close: " + reason.text());
            }
        });
        EmbeddedChannel webSocket = fixture.channel();
        WebSocketTransport probe = new WebSocketTransport(session, webSocket);
        session.attachProbe(probe);
        probe.onText("2probe", 6);
        ((TextWebSocketFrame) webSocket.readOutbound()).release();
        session.close();

        // The upgrade's flush delivers the close packet, which ends the session: "closed" must be the last word (an
        // "upgraded" after it left a stale entry in the Admin UI), as engine.io emits "upgrade" before it flushes.
        probe.onText("5", 1);

        assertThat(session.isOpen()).isFalse();
        assertThat(heard).containsExactly("upgrade", "close: forced close");
    }

    @Test
    void aProbeThatDoesNotUpgradeInTimeIsDroppedAndPollingGoesOn() {
        EngineSession session = handshaken();
        EmbeddedChannel webSocket = fixture.channel();
        session.attachProbe(new WebSocketTransport(session, webSocket));

        fixture.advance(UPGRADE_TIMEOUT);
        assertThat(webSocket.isOpen()).isFalse();
        assertThat(session.transport()).isEqualTo(Transport.POLLING);
        session.send(List.of(EnginePacket.message("still polling")));
        assertThat(answer(fixture.poll(session))).isEqualTo("4still polling");

        EmbeddedChannel second = fixture.channel();
        session.attachProbe(new WebSocketTransport(session, second));
        assertThat(second.isOpen()).as("a new probe may follow").isTrue();
    }

    @Test
    void aSecondProbeIsRefusedWithAProtocolError() {
        EngineSession session = handshaken();
        session.attachProbe(new WebSocketTransport(session, fixture.channel()));
        EmbeddedChannel second = fixture.channel();
        session.attachProbe(new WebSocketTransport(session, second));

        CloseWebSocketFrame refusal = second.readOutbound();
        assertThat(refusal.statusCode()).isEqualTo(1002);
        refusal.release();
        assertThat(second.isOpen()).isFalse();
    }

    @Test
    void aMalformedPostIsRefusedAndEndsTheSessionAsAParseError() {
        EngineSession session = handshaken();
        assertThat(fixture.post(session, "not a packet")).isEqualTo(400);
        assertThat(fixture.closeReasons).containsExactly("parse error");
        FullHttpResponse gone = fixture.poll(session).readOutbound();
        assertThat(gone.content().toString(java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo(EngineIoError.UNKNOWN_SID.json());
        gone.release();
    }
}
