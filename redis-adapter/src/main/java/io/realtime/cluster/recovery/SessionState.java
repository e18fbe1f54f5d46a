package io.realtime.cluster.recovery;

import java.util.List;
import java.util.Map;

/**
 * What a socket leaves behind for its recovery, as socket.io's adapters persist it ({@code {sid, pid, rooms, data}}).
 *
 * @param sid        the socket's id, which the recovered socket takes again
 * @param pid        the private session id the client presents to recover
 * @param rooms      the socket's rooms, its own id included (socket.io's {@code socket.rooms})
 * @param attributes what the socket kept (socket.io's {@code data}, the principal), restored as they were
 */
public record SessionState(String sid, String pid, List<String> rooms, Map<String, Object> attributes) {

    public SessionState {
        rooms = List.copyOf(rooms);
        attributes = Map.copyOf(attributes);
    }
}
