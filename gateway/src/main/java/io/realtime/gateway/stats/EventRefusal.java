package io.realtime.gateway.stats;

/** Why an event was refused before any handler saw it; {@link #tag()} is the metric tag value. */
public enum EventRefusal {
    /** Over the connection's event rate. */
    RATE_LIMITED("rate_limited"),
    /** Sent to a namespace the server had just disconnected the client from, before the client heard of it. */
    NAMESPACE_LEFT("namespace_left");

    private final String tag;

    EventRefusal(String tag) {
        this.tag = tag;
    }

    public String tag() {
        return tag;
    }
}
