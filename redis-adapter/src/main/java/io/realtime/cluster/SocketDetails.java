package io.realtime.cluster;

import java.util.Map;
import java.util.Set;

/**
 * A socket as {@code fetchSockets} describes it, wherever it lives in the cluster; the same fields socket.io's
 * {@code RemoteSocket} has.
 *
 * @param handshake headers, time, address, xdomain, secure, issued, url, query, auth
 */
public record SocketDetails(String id, Map<String, Object> handshake, Set<String> rooms, Object data) {
}
