package io.realtime.gateway.broadcast;

/**
 * Where features send server-to-client events. On one node it delivers to local sockets; in a cluster the
 * adapter carries the same call to every node. Features never talk to Redis themselves.
 */
public interface Broadcaster {

    /** Sends {@code event} with {@code args} to the sockets {@code target} selects; returns the local recipients. */
    int emit(BroadcastTarget target, String event, Object... args);
}
