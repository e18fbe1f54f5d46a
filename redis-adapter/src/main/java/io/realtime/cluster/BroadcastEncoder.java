package io.realtime.cluster;

import com.corundumstudio.socketio.SocketIOClient;

/**
 * Lets a server encode a broadcast once and hand the same bytes to every recipient, instead of serializing the event
 * once per client. Optional: without it, each recipient gets {@code sendEvent}.
 */
public interface BroadcastEncoder {

    /** Encodes an event of a namespace ({@code /}, {@code /chat}); the result goes to {@link #send} for each recipient. */
    Object encode(String namespace, ClusterPacket packet);

    /** Sends an encoded event to one client; {@code false} when this client needs the ordinary path. */
    boolean send(SocketIOClient client, Object encoded);
}
