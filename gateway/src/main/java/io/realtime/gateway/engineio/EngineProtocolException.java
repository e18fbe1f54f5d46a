package io.realtime.gateway.engineio;

/** Input that breaks the Engine.IO protocol; the session that sent it is closed with reason "parse error". */
public class EngineProtocolException extends RuntimeException {

    public EngineProtocolException(String message) {
        super(message);
    }
}
