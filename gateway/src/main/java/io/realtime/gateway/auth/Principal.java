package io.realtime.gateway.auth;

import com.corundumstudio.socketio.SocketIOClient;

import io.realtime.cluster.SocketIds;

import java.util.Map;

/**
 * Who is on the other end of a socket: the token's subject, or the socket id for an anonymous client.
 *
 * @param verified whether {@code userId} comes from a verified token
 */
public record Principal(String userId, boolean verified, Map<String, Object> claims) {

    /** The longest user id the node takes from a client or a backend (a notification room is named after it). */
    public static final int MAX_USER_ID_LENGTH = 128;

    private static final String STORE_KEY = "principal@";

    public Principal {
        claims = Map.copyOf(claims);
    }

    public static Principal anonymous(SocketIOClient client) {
        return new Principal(SocketIds.wire(client.getSessionId()), false, Map.of());
    }

    /** The principal admitted to the client's namespace, or an anonymous one. */
    public static Principal of(SocketIOClient client) {
        Principal principal = client.get(STORE_KEY + client.getNamespace().getName());
        return principal != null ? principal : anonymous(client);
    }

    /** Forgets who was admitted to the client's namespace before (the store is its connection's). */
    static void forget(SocketIOClient client) {
        client.del(STORE_KEY + client.getNamespace().getName());
    }

    /** Remembers who was admitted to the client's namespace; called by the authentication step. */
    static void admit(SocketIOClient client, Principal principal) {
        client.set(STORE_KEY + client.getNamespace().getName(), principal);
    }

    public boolean isAnonymous() {
        return !verified && claims.isEmpty();
    }
}
