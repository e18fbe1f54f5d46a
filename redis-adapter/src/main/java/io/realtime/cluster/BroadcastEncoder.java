package io.realtime.cluster;

import com.corundumstudio.socketio.SocketIOClient;

import java.util.List;

/**
 * Lets a server encode a broadcast once and hand the same bytes to all its recipients together, instead of
 * serializing the event once per client. Optional: without it, each recipient gets {@code sendEvent}.
 *
 * @param <E> the server's encoded form of an event
 */
public interface BroadcastEncoder<E> {

    /** Encodes an event of a namespace ({@code /}, {@code /chat}); the result goes to {@link #sendAll}. */
    E encode(String namespace, ClusterPacket packet);

    /**
     * Sends an encoded event to its recipients; returns those it could not serve, which get the ordinary
     * {@code sendEvent} path. What the server derives from the recipients can be kept with them
     * ({@link Recipients#prepared}): a room's are the same instance until its membership changes.
     */
    List<SocketIOClient> sendAll(E encoded, Recipients recipients);
}
