package io.realtime.gateway.broadcast;

/**
 * Where features send server-to-client events. The cluster adapter decides where they go: this node's sockets on
 * a single node, every node's through Redis in a cluster. Features never talk to Redis themselves.
 */
public interface Broadcaster {

    /** Sends {@code event} with {@code args} to the sockets {@code target} selects, wherever they are. */
    void emit(BroadcastTarget target, String event, Object... args);
}
