package io.realtime.gateway.stats;

/** Why a connection or a namespace connection was refused; {@link #tag()} is the metric tag value. */
public enum RefusalReason {
    /** The handshake's authorization or the namespace's auth check said no. */
    AUTH("auth"),
    /** A namespace CONNECT whose auth payload is larger than {@code MAX_CONNECT_PAYLOAD} allows. */
    AUTH_TOO_LARGE("auth_too_large"),
    /** The node holds as many connections as it may. */
    LIMIT("limit"),
    /** The client's address holds as many connections, or made as many handshakes, as it may. */
    ADDRESS_LIMIT("address_limit"),
    /** The node is draining. */
    DRAINING("draining"),
    /** A browser on a site that {@code CORS_ORIGINS} does not allow (WebSocket or polling). */
    ORIGIN("origin"),
    /** Not a valid Engine.IO request (unknown transport, bad parameters). */
    BAD_REQUEST("bad_request"),
    /**
     * A connection while {@code PROXY_PROTOCOL} is on from a peer that is not a balancer of
     * {@code PROXY_PROTOCOL_FROM}, closed before anything of it is read.
     */
    UNTRUSTED_PEER("untrusted_peer");

    private final String tag;

    RefusalReason(String tag) {
        this.tag = tag;
    }

    public String tag() {
        return tag;
    }
}
