package io.realtime.gateway.socketio;

import com.corundumstudio.socketio.HandshakeData;
import io.realtime.gateway.engineio.EngineSession;
import io.realtime.gateway.engineio.SessionOpener;

/** Puts a Socket.IO connection on top of every new Engine.IO session. */
public final class SocketIoSessionOpener implements SessionOpener {

    private final SocketIoServerContext context;
    /** One for every connection: it keeps nothing of any (one each cost 24 bytes). */
    private final SocketOpener sockets;

    public SocketIoSessionOpener(SocketIoServerContext context) {
        this.context = context;
        this.sockets = new SocketOpener(context.recoveries(), context.observer());
    }

    @Override
    public void onOpen(EngineSession session, HandshakeData handshake, java.util.Map<String, Object> storeParams) {
        SocketIoConnection connection = new SocketIoConnection(session, handshake, storeParams, context, sockets);
        session.setListener(connection);
        connection.start();
    }
}
