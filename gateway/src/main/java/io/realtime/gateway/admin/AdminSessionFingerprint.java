package io.realtime.gateway.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What a session is bound to: the credential it was created with. A session stores the fingerprint of the configured
 * username and password hash (never the password), and counts only while they are still the configured ones: a
 * rotated {@code ADMIN_UI_PASSWORD_HASH} ends every session made with the old one, and a cluster with other
 * credentials sharing the Redis server does not accept them.
 */
final class AdminSessionFingerprint {

    private AdminSessionFingerprint() {
    }

    /** SHA-256 (hex) of the username and the bcrypt hash; a newline parts them (neither contains one). */
    static String of(String username, String passwordHash) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((username + "\n" + passwordHash).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** In constant time, so the comparison tells nothing about how much of a stored value matched. */
    static boolean matches(String expected, String stored) {
        return stored != null && MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
                stored.getBytes(StandardCharsets.UTF_8));
    }
}
