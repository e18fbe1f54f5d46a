package io.realtime.gateway.socketio;

import com.corundumstudio.socketio.AckRequest;
import com.corundumstudio.socketio.SocketIOClient;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a refused event is answered: an error ack {@code {error: {code, message}}} when the client asked for an ack,
 * otherwise an {@code exception} event {@code {status: "error", message}} (the NestJS convention).
 */
public final class ErrorReplies {

    public static final String EXCEPTION_EVENT = "exception";

    /** How much of a client's event name a reply repeats: a refusal must not send back what it refused. */
    static final int NAME_SHOWN = 64;

    private ErrorReplies() {
    }

    /** A client's event name as a reply quotes it, cut to {@link #NAME_SHOWN} characters. */
    public static String quoted(String event) {
        return "'" + (event.length() <= NAME_SHOWN ? event : event.substring(0, NAME_SHOWN) + "…") + "'";
    }

    public static void reply(SocketIOClient client, AckRequest ack, String code, String message) {
        if (ack.isAckRequested()) {
            Map<String, Object> error = new LinkedHashMap<>();
            error.put("code", code);
            error.put("message", message);
            ack.sendAckData(Map.of("error", error));
        } else {
            Map<String, Object> exception = new LinkedHashMap<>();
            exception.put("status", "error");
            exception.put("message", message);
            client.sendEvent(EXCEPTION_EVENT, exception);
        }
    }
}
