package io.realtime.cluster.core;

/** What a transport hands the core of a namespace. Called on the transport's threads; never blocks. */
public interface MessageReceiver {

    void onMessage(ClusterMessage message);

    /** A message read from the transport's log at {@code offset} (its entry id): the streams transport's entries. */
    default void onMessage(ClusterMessage message, String offset) {
        onMessage(message);
    }

    /** Whether a socket of this node is in {@code room}: a transport may skip decoding what no local socket wants. */
    boolean hasRoom(String room);

    /** Whether the room exists on this node now, members or not (it is about to get its first). */
    boolean roomExists(String room);

    /** Whether {@code id} names a socket connected to this node, whose own room it is. */
    boolean isLocalSocket(String id);

    /** The connection to the other nodes was lost: pending requests fail now rather than at their timeout. */
    void onConnectionLost();
}
