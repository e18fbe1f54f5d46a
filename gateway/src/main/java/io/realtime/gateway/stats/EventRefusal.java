package io.realtime.gateway.stats;

/** Why an event was refused before any handler saw it; {@link #tag()} is the metric tag value. */
public enum EventRefusal {
    /** Over the connection's event rate. */
    RATE_LIMITED("rate_limited");

    private final String tag;

    EventRefusal(String tag) {
        this.tag = tag;
    }

    public String tag() {
        return tag;
    }
}
