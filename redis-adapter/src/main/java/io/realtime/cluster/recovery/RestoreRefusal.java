package io.realtime.cluster.recovery;

/** Why a client that asked for its session back gets a new one instead (the client is never told: it just is new). */
public enum RestoreRefusal {
    /** The offset is not one this recovery writes (wrong format), so it is not even looked up. */
    MALFORMED_OFFSET,
    /**
     * The offset is not held (any more): trimmed from the log, older than it, or never written; or what follows it
     * cannot all be replayed (trimmed while the replay read it, or longer than a replay reads).
     */
    OFFSET_GONE,
    /** No such session: unknown, expired or already recovered. */
    UNKNOWN_SESSION,
    /** The session's socket is still connected, here or on a live node: it is never taken from under it. */
    STILL_CONNECTED,
    /**
     * The session could not be read or attached (Redis failed, the connection went away meanwhile, or the node's
     * reader of the log had not reached the offset in time); a session taken already is kept again.
     */
    UNAVAILABLE
}
