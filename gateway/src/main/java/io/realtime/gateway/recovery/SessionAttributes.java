package io.realtime.gateway.recovery;

import io.realtime.gateway.auth.Principal;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A socket's kept attributes in plain values (maps, lists, strings, numbers), so that a session kept in Redis can
 * be read by any node: the principal becomes a map under a marker key and comes back as a {@link Principal}.
 */
public final class SessionAttributes {

    private static final String PRINCIPAL = "@principal";

    private SessionAttributes() {
    }

    public static Map<String, Object> toWire(Map<String, Object> attributes) {
        Map<String, Object> wire = new LinkedHashMap<>();
        attributes.forEach((key, value) -> wire.put(key, value instanceof Principal principal ? Map.of(PRINCIPAL,
                Map.of("userId", principal.userId(), "verified", principal.verified(), "claims", principal.claims())) : value));
        return wire;
    }

    public static Map<String, Object> fromWire(Map<String, Object> wire) {
        Map<String, Object> attributes = new LinkedHashMap<>();
        wire.forEach((key, value) -> attributes.put(key, principalOf(value)));
        return attributes;
    }

    private static Object principalOf(Object value) {
        if (value instanceof Map<?, ?> map && map.size() == 1 && map.get(PRINCIPAL) instanceof Map<?, ?> fields
                && fields.get("userId") instanceof String userId) {
            Map<String, Object> claims = new LinkedHashMap<>();
            if (fields.get("claims") instanceof Map<?, ?> given) {
                given.forEach((name, claim) -> {
                    if (name instanceof String text && claim != null) {
                        claims.put(text, claim);
                    }
                });
            }
            return new Principal(userId, Boolean.TRUE.equals(fields.get("verified")), claims);
        }
        return value;
    }
}
