package io.realtime.gateway.recovery;

import java.security.SecureRandom;
import java.util.Base64;

/** Private session ids: 128 random bits from a {@link SecureRandom}, in base64url (22 characters). */
public final class SessionIds {

    private static final SecureRandom RANDOM = new SecureRandom();

    private SessionIds() {
    }

    public static String newPid() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
