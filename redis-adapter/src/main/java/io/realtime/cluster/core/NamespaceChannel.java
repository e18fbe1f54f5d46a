package io.realtime.cluster.core;

import java.util.concurrent.CompletionStage;

/** A namespace's link to the other nodes through a {@link ClusterTransport}. */
public interface NamespaceChannel {

    /** This node's id on the wire for the namespace (its length is the protocol's). */
    String uid();

    /**
     * Sends a message to every node of the namespace; completes when the transport took it (or held it, for a
     * {@link ClusterMessage#holdable()} message while Redis is away), fails when it could not.
     */
    CompletionStage<Void> publish(ClusterMessage message);

    /** Answers a request of the node {@code requesterUid} ({@code null} when the request did not say who asked). */
    CompletionStage<Void> publishResponse(String requesterUid, ClusterMessage response);

    /** How many servers serve the namespace, this one included. */
    CompletionStage<Integer> serverCount();

    /** Whether the protocol has an {@link MessageType#ALL_ROOMS} request (the sharded one has not). */
    default boolean supports(MessageType type) {
        return true;
    }

    /** Whether {@link #roomCreated}/{@link #roomDeleted} matter to this transport (they cost a little per join). */
    default boolean wantsRoomEvents() {
        return false;
    }

    /**
     * A room now has a member on this node (its first); {@code socketRoom}: the room of one socket's own id (it
     * connected). Transports with per-room channels subscribe.
     */
    default void roomCreated(String room, boolean socketRoom) {
    }

    /** A room may have lost its last member on this node ({@link MessageReceiver#roomExists} tells). */
    default void roomDeleted(String room, boolean socketRoom) {
    }

    void close();
}
