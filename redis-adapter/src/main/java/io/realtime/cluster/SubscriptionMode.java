package io.realtime.cluster;

/**
 * How the sharded transport subscribes (the {@code subscriptionMode} of Node's {@code createShardedAdapter}).
 */
public enum SubscriptionMode {
    /** Two channels per namespace: every node receives every broadcast of the namespace. */
    STATIC("static"),
    /** Also one channel per public room, subscribed while the room has a member on the node (the default). */
    DYNAMIC("dynamic"),
    /** As {@link #DYNAMIC}, and one channel per socket too (sends to a single socket reach only its node). */
    DYNAMIC_PRIVATE("dynamic-private");

    private final String wireName;

    SubscriptionMode(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static SubscriptionMode of(String name) {
        for (SubscriptionMode mode : values()) {
            if (mode.wireName.equals(name)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("unknown subscription mode '" + name + "' (static, dynamic, dynamic-private)");
    }
}
