package io.realtime.gateway.auth;

import com.corundumstudio.socketio.AuthTokenResult;
import com.corundumstudio.socketio.SocketIOClient;
import com.corundumstudio.socketio.SocketIONamespace;
import io.netty.handler.codec.http.HttpHeaderNames;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The connect-time check of a namespace: finds the client's token (v4 {@code auth.token}, the {@code token} query
 * parameter of v2 clients, or an {@code Authorization: Bearer} header), verifies it and remembers the principal;
 * a refusal becomes a {@code connect_error} whose data carries {@code code} and {@code reason}.
 */
public final class HandshakeAuthenticator {

    private final AuthSettings.Mode mode;
    private final TokenVerifier verifier;
    private final Optional<Set<String>> requiredNamespaces;

    public HandshakeAuthenticator(AuthSettings.Mode mode, TokenVerifier verifier, Optional<Set<String>> requiredNamespaces) {
        this.mode = mode;
        this.verifier = verifier;
        this.requiredNamespaces = requiredNamespaces;
    }

    public static HandshakeAuthenticator trusting() {
        return new HandshakeAuthenticator(AuthSettings.Mode.NONE, null, Optional.empty());
    }

    /**
     * @param requiredByDefault what the namespace's code declares; {@code AUTH_REQUIRED_NAMESPACES} overrides it
     */
    public boolean requiresToken(String namespace, boolean requiredByDefault) {
        if (mode == AuthSettings.Mode.NONE) {
            return false;
        }
        return requiredNamespaces.map(names -> names.contains("*") || names.contains(namespace))
                .orElse(requiredByDefault);
    }

    /** Adds the check to a namespace. */
    public void protect(SocketIONamespace namespace, String wireName, boolean requiredByDefault) {
        boolean required = requiresToken(wireName, requiredByDefault);
        namespace.addAuthTokenListener((auth, client) -> admit(auth, client, required));
    }

    AuthTokenResult admit(Object auth, SocketIOClient client, boolean required) {
        if (mode == AuthSettings.Mode.NONE) {
            Object claimed = auth instanceof Map<?, ?> map ? map.get("userId") : null;
            if (claimed instanceof String userId && !userId.isBlank()) {
                Principal.admit(client, new Principal(userId, false, Map.of("userId", userId)));
            }
            return AuthTokenResult.AuthTokenResultSuccess;
        }
        String token = tokenOf(auth, client);
        if (token == null) {
            return required ? refuse(AuthFailure.unauthorized("missing token")) : AuthTokenResult.AuthTokenResultSuccess;
        }
        try {
            Principal.admit(client, verifier.verify(token));
            return AuthTokenResult.AuthTokenResultSuccess;
        } catch (TokenVerifier.TokenRejectedException e) {
            return refuse(e.failure());
        }
    }

    private static String tokenOf(Object auth, SocketIOClient client) {
        if (auth instanceof Map<?, ?> map && map.get("token") instanceof String token && !token.isBlank()) {
            return token;
        }
        String fromQuery = client.getHandshakeData().getSingleUrlParam("token");
        if (fromQuery != null && !fromQuery.isBlank()) {
            return fromQuery;
        }
        String header = client.getHandshakeData().getHttpHeaders().get(HttpHeaderNames.AUTHORIZATION);
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return header.substring(7).trim();
        }
        return null;
    }

    private static AuthTokenResult refuse(AuthFailure failure) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("code", failure.code());
        data.put("reason", failure.reason());
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("message", AuthFailure.TOKEN_EXPIRED.equals(failure.code()) ? "Token expired" : "Unauthorized");
        error.put("data", data);
        return new AuthTokenResult(false, error);
    }
}
