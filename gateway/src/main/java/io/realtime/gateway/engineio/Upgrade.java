package io.realtime.gateway.engineio;

import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The upgrade of one long-polling session to a WebSocket (engine.io's {@code socket.maybeUpgrade}): the client opens
 * a WebSocket, the probe, and sends {@code 2probe} through it; the server answers {@code 3probe} and releases the
 * waiting poll (the client pauses polling); the client sends UPGRADE and the probe becomes the session's transport.
 * A probe that does not get there within {@code upgradeTimeout}, or says anything else, is dropped and polling goes
 * on. On the session's event loop.
 */
final class Upgrade {

    private static final Logger log = LoggerFactory.getLogger(Upgrade.class);

    private final EngineSession session;
    private final long timeoutMillis;
    private WebSocketTransport probe;
    private boolean probeAnswered;
    private ScheduledFuture<?> timeout;

    Upgrade(EngineSession session, Duration timeout) {
        this.session = session;
        this.timeoutMillis = timeout.toMillis();
    }

    boolean isProbe(Transport transport) {
        return transport != null && transport == probe;
    }

    /** Whether the client has its probe answered and pauses polling: a poll is released at once. */
    boolean isPausing() {
        return probeAnswered;
    }

    /**
     * A WebSocket opened to upgrade the session, with its handshake answered: it becomes the probe unless the
     * session cannot upgrade now or probes already.
     */
    void offer(WebSocketTransport candidate, boolean sessionCanUpgrade) {
        if (!sessionCanUpgrade || probe != null) {
            candidate.refuse();
            return;
        }
        candidate.opened();
        probe = candidate;
        timeout = session.eventLoop().schedule(() -> {
            if (probe == candidate) {
                log.debug("session {}: upgrade timed out", session.id());
                abandon();
            }
        }, timeoutMillis, TimeUnit.MILLISECONDS);
    }

    /** A packet through the probe. */
    void onPacket(EnginePacket packet) {
        if (packet.type() == EnginePacket.Type.PING && "probe".equals(packet.text())) {
            probe.answerProbe();
            probeAnswered = true;
            // Pause: a waiting poll returns now, so that the client can send UPGRADE.
            session.onTransportReady();
        } else if (packet.type() == EnginePacket.Type.UPGRADE && probeAnswered) {
            WebSocketTransport upgraded = probe;
            reset();
            log.debug("session {}: upgraded to websocket", session.id());
            session.switchTo(upgraded);
        } else {
            log.debug("session {}: unexpected packet during upgrade: {}", session.id(), packet);
            abandon();
        }
    }

    /** The probe's connection went away: polling goes on. */
    void onProbeClosed() {
        reset();
    }

    /** Drops the probe: its connection is closed, polling goes on. */
    void abandon() {
        WebSocketTransport abandoned = probe;
        reset();
        if (abandoned != null) {
            abandoned.abort();
        }
    }

    private void reset() {
        if (timeout != null) {
            timeout.cancel(false);
            timeout = null;
        }
        probe = null;
        probeAnswered = false;
    }
}
