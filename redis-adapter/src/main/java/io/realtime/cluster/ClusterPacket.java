package io.realtime.cluster;

import java.util.List;

/**
 * An event as it travels between nodes: a name and its arguments (JSON-like values: maps, lists, strings, numbers,
 * booleans, null, and {@code byte[]} for binary).
 */
public record ClusterPacket(String event, List<Object> args) {

    public ClusterPacket {
        if (event == null || event.isEmpty()) {
            throw new IllegalArgumentException("event name required");
        }
        args = args == null ? List.of() : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(args));
    }

    public static ClusterPacket of(String event, Object... args) {
        return new ClusterPacket(event, java.util.Arrays.asList(args));
    }
}
