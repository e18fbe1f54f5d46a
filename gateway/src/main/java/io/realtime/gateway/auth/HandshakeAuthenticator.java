package io.realtime.gateway.auth;

import com.corundumstudio.socketio.AuthTokenResult;
import com.corundumstudio.socketio.HandshakeData;
import com.corundumstudio.socketio.SocketIOClient;
import com.corundumstudio.socketio.SocketIONamespace;
import io.netty.handler.codec.http.HttpHeaderNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The connect-time check of a namespace: finds the client's token (v4 {@code auth.token}, the {@code token} query
 * parameter of v2 clients, or an {@code Authorization: Bearer} header), verifies it and remembers the principal;
 * a refusal becomes a {@code connect_error} whose data carries {@code code} and {@code reason}.
 */
public final class HandshakeAuthenticator {

    private static final Logger log = LoggerFactory.getLogger(HandshakeAuthenticator.class);

    private final AuthSettings.Mode mode;
    private final TokenVerifier verifier;
    private final NamespaceAccess access;
    private final TokenExpiry expiry;

    public HandshakeAuthenticator(AuthSettings.Mode mode, TokenVerifier verifier, NamespaceAccess access) {
        this(mode, verifier, access, null);
    }

    /** @param expiry ends sockets whose token expired; {@code null}: tokens are checked at connect time only */
    HandshakeAuthenticator(AuthSettings.Mode mode, TokenVerifier verifier, NamespaceAccess access, TokenExpiry expiry) {
        this.mode = mode;
        this.verifier = verifier;
        this.access = access;
        this.expiry = expiry;
    }

    public static HandshakeAuthenticator trusting() {
        return new HandshakeAuthenticator(AuthSettings.Mode.NONE, null, new NamespaceAccess(Set.of(), Optional.empty()));
    }

    /**
     * @param declaredPublicBy the gateway class that declares the namespace public, if one does
     */
    public boolean requiresToken(String namespace, Optional<String> declaredPublicBy) {
        return mode != AuthSettings.Mode.NONE && access.whyPublic(namespace, declaredPublicBy).isEmpty();
    }

    /** Adds the check to a namespace; a public one is named in the log with the reason, once, at start. */
    public void protect(SocketIONamespace namespace, String wireName, Optional<String> declaredPublicBy) {
        boolean required = requiresToken(wireName, declaredPublicBy);
        if (mode == AuthSettings.Mode.JWT && !required) {
            log.warn("AUTH_MODE=jwt: namespace {} is public (anonymous clients connect): {}", wireName,
                    access.whyPublic(wireName, declaredPublicBy).orElseThrow());
        }
        namespace.addAuthTokenListener((auth, client) -> admit(auth, client.getHandshakeData(), client, required));
        if (mode == AuthSettings.Mode.JWT && expiry != null) {
            namespace.addConnectListener(expiry::watch);
            namespace.addDisconnectListener(expiry::forget);
        }
    }

    AuthTokenResult admit(Object auth, HandshakeData handshake, SocketIOClient client, boolean required) {
        // Each CONNECT is who it says now: a socket that left this namespace and joins again without credentials is
        // anonymous, not whoever its connection was the last time.
        Principal.forget(client);
        if (mode == AuthSettings.Mode.NONE) {
            Object claimed = auth instanceof Map<?, ?> map ? map.get("userId") : null;
            if (claimed instanceof String userId && !userId.isBlank()) {
                if (userId.length() > Principal.MAX_USER_ID_LENGTH) {
                    return refuse(AuthFailure.unauthorized("auth.userId must be at most " + Principal.MAX_USER_ID_LENGTH
                            + " characters"));
                }
                Principal.admit(client, new Principal(userId, false, Map.of("userId", userId)));
            }
            return AuthTokenResult.AuthTokenResultSuccess;
        }
        try {
            String token = presentedToken(auth, handshake);
            if (token == null) {
                return required ? refuse(AuthFailure.unauthorized("missing token")) : AuthTokenResult.AuthTokenResultSuccess;
            }
            Principal.admit(client, verifier.verify(token));
            return AuthTokenResult.AuthTokenResultSuccess;
        } catch (TokenVerifier.TokenRejectedException e) {
            return refuse(e.failure());
        }
    }

    /**
     * The token the client presents; {@code null} when it presents none. A token that is there but is not a
     * non-empty string ({@code null}, a number, an object, {@code ""}) is refused, never read as "no token": a public
     * namespace would otherwise admit as anonymous a client whose credentials are broken.
     */
    static String presentedToken(Object auth, HandshakeData handshake) {
        if (auth instanceof Map<?, ?> map && map.containsKey("token")) {
            return nonEmpty(map.get("token"), "auth.token");
        }
        List<String> fromQuery = handshake.getUrlParams().get("token");
        if (fromQuery != null && !fromQuery.isEmpty()) {
            return nonEmpty(fromQuery.get(0), "the token query parameter");
        }
        String header = handshake.getHttpHeaders().get(HttpHeaderNames.AUTHORIZATION);
        if (header != null && (header.regionMatches(true, 0, "Bearer ", 0, 7) || header.equalsIgnoreCase("Bearer"))) {
            return nonEmpty(header.substring(6).trim(), "the Authorization bearer token");
        }
        return null;
    }

    private static String nonEmpty(Object token, String where) {
        if (token instanceof String text && !text.isBlank()) {
            return text;
        }
        throw new TokenVerifier.TokenRejectedException(AuthFailure.unauthorized(
                "malformed token: " + where + " must be a non-empty string"));
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
