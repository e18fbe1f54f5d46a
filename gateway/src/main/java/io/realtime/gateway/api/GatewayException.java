package io.realtime.gateway.api;

/**
 * Thrown by a handler to refuse an event: the client gets {@code {error: {code, message}}} as its ack, or an
 * {@code exception} event when it asked for no ack. The connection stays open.
 */
public class GatewayException extends RuntimeException {

    private final String code;

    public GatewayException(String code, String message) {
        super(message);
        this.code = code;
    }

    public String code() {
        return code;
    }

    public static GatewayException forbidden(String message) {
        return new GatewayException("forbidden", message);
    }

    public static GatewayException badRequest(String message) {
        return new GatewayException("bad_request", message);
    }
}
