package io.realtime.gateway.recovery;

import java.util.Map;
import java.util.Optional;

/**
 * A client's request to recover its session: the {@code pid} and {@code offset} of its namespace CONNECT's
 * {@code auth}, as socket.io-client 4.6+ sends them. Both must be strings, as socket.io requires; anything else,
 * and strings longer than any pid or offset this server writes, is no request at all (the client gets a new
 * session), never an error.
 */
public record RecoveryRequest(String pid, String offset) {

    /** Longer than any pid (22 characters) or offset (a stream id, at most 41 characters) the server hands out. */
    static final int MAX_LENGTH = 64;

    /** Whether the client asked to recover at all (it sent a pid or an offset, valid or not). */
    public static boolean asked(Object auth) {
        return auth instanceof Map<?, ?> map && (map.containsKey("pid") || map.containsKey("offset"));
    }

    /**
     * Whether the client sent its pid and no offset: socket.io-client leaves the offset out until it has received a
     * broadcast (an event with an offset), so a socket that had none asks this way. socket.io gives it a new session,
     * as this server does: nothing says which packets it missed.
     */
    public static boolean withoutOffset(Object auth) {
        return auth instanceof Map<?, ?> map && map.get("pid") instanceof String && !map.containsKey("offset");
    }

    public static Optional<RecoveryRequest> of(Object auth) {
        if (!(auth instanceof Map<?, ?> map)
                || !(map.get("pid") instanceof String pid) || !(map.get("offset") instanceof String offset)) {
            return Optional.empty();
        }
        if (pid.isEmpty() || offset.isEmpty() || pid.length() > MAX_LENGTH || offset.length() > MAX_LENGTH) {
            return Optional.empty();
        }
        return Optional.of(new RecoveryRequest(pid, offset));
    }
}
