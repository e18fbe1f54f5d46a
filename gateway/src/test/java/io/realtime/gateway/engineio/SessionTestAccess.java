package io.realtime.gateway.engineio;

import io.realtime.gateway.stats.DisconnectReason;
import com.corundumstudio.socketio.protocol.EngineIOVersion;
import io.netty.channel.EventLoop;

import java.net.InetAddress;

/** Opens and closes sessions for tests outside this package (admission), as a handshake and a transport would. */
public final class SessionTestAccess {

    private SessionTestAccess() {
    }

    /** A polling session opened from {@code address}; call on {@code loop} (an embedded one runs it at once). */
    public static EngineSession open(SessionRegistry registry, EngineIOVersion version, EventLoop loop, InetAddress address) {
        EngineSession session = registry.create(version, loop, address);
        session.open(new PollingTransport(session, false));
        return session;
    }

    public static void closeNow(EngineSession session) {
        session.closeNow(DisconnectReason.TRANSPORT_CLOSE, null);
    }
}
