package io.realtime.gateway.stats;

/** Why the server closed a connection for what its client did; {@link #tag()} is the metric tag value. */
public enum BehaviourClose {
    /** Kept sending events past its rate limit. */
    ABUSE("abuse"),
    /** Did not read what it was sent fast enough. */
    SLOW_CONSUMER("slow_consumer");

    private final String tag;

    BehaviourClose(String tag) {
        this.tag = tag;
    }

    public String tag() {
        return tag;
    }
}
