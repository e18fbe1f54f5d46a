package io.realtime.gateway.features;

/** Size limits of the built-in features' payloads. */
final class Limits {

    static final int MESSAGE_LENGTH = 2000;
    static final int USER_ID_LENGTH = io.realtime.gateway.auth.Principal.MAX_USER_ID_LENGTH;
    static final int ROOM_LENGTH = 64;
    /** Room names: visible characters, no spaces, Unicode ones included (as the AsyncAPI document's ECMA-262 pattern). */
    static final String ROOM_PATTERN = "(?U)\\S{1," + ROOM_LENGTH + "}";
    /** Chat rooms one socket may be in at once: each costs memory on every node, and Redis a subscription. */
    static final int ROOMS_PER_SOCKET = 50;

    private Limits() {
    }
}
