package io.realtime.gateway.stats;

/**
 * Why a client that asked to recover its session got a new one; {@link #tag()} is the metric tag value.
 */
public enum RecoveryFailure {
    /** The pid or offset was not a string, longer than any the server writes, or not in the offset's format. */
    INVALID("invalid"),
    /** A pid and no offset: the client had received no broadcast before it lost its connection. */
    NO_OFFSET("no_offset"),
    /** The offset is no longer held (trimmed from the log or the stream), or was never written. */
    OFFSET_GONE("offset_gone"),
    /** No such session: unknown, expired or already recovered. */
    NOT_FOUND("not_found"),
    /** The session's socket is still connected (here or on a live node), so it is not taken. */
    STILL_CONNECTED("still_connected"),
    /** The session was another user's than the credentials the client presented now: it is given up. */
    ANOTHER_USER("another_user"),
    /** The session could not be read (Redis failed) or attached (the connection went away meanwhile). */
    UNAVAILABLE("unavailable");

    private final String tag;

    RecoveryFailure(String tag) {
        this.tag = tag;
    }

    public String tag() {
        return tag;
    }
}
