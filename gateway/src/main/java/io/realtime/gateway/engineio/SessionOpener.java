package io.realtime.gateway.engineio;

import com.corundumstudio.socketio.HandshakeData;

/** Attaches the layer above to a session that has just completed its Engine.IO handshake. */
@FunctionalInterface
public interface SessionOpener {

    /**
     * Called on the session's event loop, before the handshake answer leaves; may queue packets after OPEN.
     * {@code storeParams}: what the application's {@code AuthorizationListener} gave each of the connection's sockets
     * to keep ({@code AuthorizationResult.getStoreParams()}), empty mostly.
     */
    void onOpen(EngineSession session, HandshakeData handshake, java.util.Map<String, Object> storeParams);
}
