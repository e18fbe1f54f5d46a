package io.realtime.cluster.core;

import io.realtime.cluster.recovery.RecoveryOptions;
import io.realtime.cluster.recovery.SessionRecovery;

import java.util.concurrent.CompletableFuture;
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

    /**
     * Whether broadcasts come back to their sender in the order every node sees them ({@link
     * MessageReceiver#onMessage(ClusterMessage, String)} with their offset): the core then delivers its own
     * broadcasts when they come back, not when it sends them.
     */
    default boolean ordersBroadcasts() {
        return false;
    }

    /**
     * Appends a message to the log every node reads; completes with its offset ({@link #ordersBroadcasts} only).
     * When this fails the caller gives the message to its own sockets itself, so should the log hold it after all
     * (a command that timed out after it reached the server), it is not given back to this node's receiver.
     */
    default CompletionStage<String> append(ClusterMessage message) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException("this transport keeps no log"));
    }

    /**
     * The namespace's connection state recovery over this transport's log.
     *
     * @param dataKey the socket store key of socket.io's {@code socket.data}
     * @throws UnsupportedOperationException when the transport keeps no log to replay from
     */
    default SessionRecovery recovery(RecoveryOptions options, String dataKey) {
        throw new UnsupportedOperationException("connection state recovery in a cluster needs the streams transport");
    }

    void close();
}
