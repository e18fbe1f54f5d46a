package io.realtime.gateway.socketio;

import io.realtime.gateway.engineio.EngineProtocolException;

/** A packet that breaks the Socket.IO protocol; like socket.io, the server closes that client's connection. */
public class SocketIoProtocolException extends EngineProtocolException {

    public SocketIoProtocolException(String message) {
        super(message);
    }
}
