package io.realtime.gateway.stats;

/**
 * Why a socket left its namespace, in socket.io's words ({@link #text()}, what a server-side {@code disconnect}
 * listener would see in Node); the code that ends a socket names one, and the metrics count each under its text.
 */
public enum DisconnectReason {
    CLIENT_NAMESPACE_DISCONNECT("client namespace disconnect"),
    SERVER_NAMESPACE_DISCONNECT("server namespace disconnect"),
    TRANSPORT_CLOSE("transport close"),
    TRANSPORT_ERROR("transport error"),
    PING_TIMEOUT("ping timeout"),
    PARSE_ERROR("parse error"),
    FORCED_CLOSE("forced close"),
    /** socket.io's Client closing a connection that sent a packet its state does not allow (recoverable). */
    FORCED_SERVER_CLOSE("forced server close"),
    SERVER_SHUTTING_DOWN("server shutting down"),
    SERVER_ERROR("server error"),
    /** Not in socket.io: the token the socket joined with expired ({@code AUTH_MODE=jwt}, after TOKEN_EXPIRY_GRACE). */
    TOKEN_EXPIRED("token_expired");

    private final String text;

    DisconnectReason(String text) {
        this.text = text;
    }

    /** socket.io's wording, also the metric tag value. */
    public String text() {
        return text;
    }

    @Override
    public String toString() {
        return text;
    }
}
