package io.realtime.gateway.features;

/** Size limits of the built-in features' payloads. */
final class Limits {

    static final int MESSAGE_LENGTH = 2000;
    static final int USER_ID_LENGTH = io.realtime.gateway.auth.Principal.MAX_USER_ID_LENGTH;
    static final int ROOM_LENGTH = 64;
    /**
     * Room names: 1 to 64 characters (code points) none of which is white space as ECMA-262 reads {@code \S}, as the
     * AsyncAPI document's pattern does in a JSON Schema validator (Unicode mode). Spelled out: Java's {@code \s}
     * differs from ECMA's (it takes U+0085 and leaves U+FEFF).
     */
    static final String ROOM_PATTERN = "[^\\t\\n\\x0B\\f\\r \\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000\\uFEFF]{1,"
            + ROOM_LENGTH + "}";
    /** Chat rooms one socket may be in at once: each costs memory on every node, and Redis a subscription. */
    static final int ROOMS_PER_SOCKET = 50;

    private Limits() {
    }
}
