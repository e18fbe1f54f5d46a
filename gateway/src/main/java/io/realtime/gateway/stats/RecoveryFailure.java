package io.realtime.gateway.stats;

/**
 * Why a client that asked to recover its session got a new one; {@link #tag()} is the metric tag value.
 */
public enum RecoveryFailure {
    /** The pid or offset was not a string, or longer than any the server writes. */
    INVALID("invalid"),
    /** No such session (unknown, expired, already recovered, or its socket still connected), or its offset is no longer held. */
    NOT_FOUND("not_found");

    private final String tag;

    RecoveryFailure(String tag) {
        this.tag = tag;
    }

    public String tag() {
        return tag;
    }
}
