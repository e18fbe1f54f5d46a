package io.realtime.gateway.socketio;

import com.corundumstudio.socketio.HandshakeData;
import io.realtime.gateway.engineio.EngineSession;
import io.realtime.gateway.engineio.SessionOpener;

/** Puts a Socket.IO connection on top of every new Engine.IO session. */
public final class SocketIoSessionOpener implements SessionOpener {

    private final SocketIoServerContext context;

    public SocketIoSessionOpener(SocketIoServerContext context) {
        this.context = context;
    }

    @Override
    public void onOpen(EngineSession session, HandshakeData handshake) {
        SocketIoConnection connection = new SocketIoConnection(session, handshake, context);
        session.setListener(connection);
        connection.start();
    }
}
