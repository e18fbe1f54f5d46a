package io.realtime.gateway.engineio;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * The HTTP errors of the Engine.IO server, with the codes and messages Node's engine.io answers, so clients and
 * tooling that read {@code {"code":N,"message":"..."}} see the same thing.
 */
public enum EngineIoError {
    UNKNOWN_TRANSPORT(0, "Transport unknown", HttpResponseStatus.BAD_REQUEST),
    UNKNOWN_SID(1, "Session ID unknown", HttpResponseStatus.BAD_REQUEST),
    BAD_HANDSHAKE_METHOD(2, "Bad handshake method", HttpResponseStatus.BAD_REQUEST),
    BAD_REQUEST(3, "Bad request", HttpResponseStatus.BAD_REQUEST),
    FORBIDDEN(4, "Forbidden", HttpResponseStatus.FORBIDDEN),
    UNSUPPORTED_PROTOCOL_VERSION(5, "Unsupported protocol version", HttpResponseStatus.BAD_REQUEST),
    PAYLOAD_TOO_LARGE(3, "Payload too large", HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE),
    /** Not in Node's engine.io: the node is at its connection limit ({@code MAX_CONNECTIONS}). */
    SERVER_FULL(-1, "server_full", HttpResponseStatus.SERVICE_UNAVAILABLE),
    /** Not in Node's engine.io: the node is shutting down; the client should connect to another. */
    DRAINING(-1, "draining", HttpResponseStatus.SERVICE_UNAVAILABLE),
    /** Not in Node's engine.io: this address has too many connections, or opens them too fast. */
    TOO_MANY_FROM_ADDRESS(-1, "too_many_requests", HttpResponseStatus.TOO_MANY_REQUESTS),
    /** Not in Node's engine.io: a browser on a site outside {@code CORS_ORIGINS} (WebSocket included). */
    ORIGIN_NOT_ALLOWED(-1, "origin_not_allowed", HttpResponseStatus.FORBIDDEN);

    private final int code;
    private final String message;
    private final HttpResponseStatus status;

    EngineIoError(int code, String message, HttpResponseStatus status) {
        this.code = code;
        this.message = message;
        this.status = status;
    }

    public int code() {
        return code;
    }

    public String message() {
        return message;
    }

    public HttpResponseStatus status() {
        return status;
    }

    public String json() {
        if (this == SERVER_FULL) {
            return "{\"code\":\"server_full\",\"message\":\"the node is at its connection limit, try another\"}";
        }
        if (this == TOO_MANY_FROM_ADDRESS) {
            return "{\"code\":\"too_many_requests\",\"message\":\"too many connections or handshakes from this address\"}";
        }
        if (this == ORIGIN_NOT_ALLOWED) {
            return "{\"code\":\"origin_not_allowed\",\"message\":\"this origin is not in CORS_ORIGINS\"}";
        }
        if (this == DRAINING) {
            return "{\"code\":\"draining\",\"message\":\"the node is shutting down, try another\"}";
        }
        return "{\"code\":" + code + ",\"message\":\"" + message + "\"}";
    }
}
