package io.realtime.gateway.socketio;

import java.util.Map;

/**
 * Turns what an authentication listener refused with into the {@code connect_error} socket.io clients expect:
 * {@code {message, data}}. A map with a {@code message} is used as it is; a string is the message; anything else
 * becomes the data of a generic message.
 */
record ConnectRefusal(String message, Object data) {

    static final String DEFAULT_MESSAGE = "Not authorized";

    static ConnectRefusal from(Object errorData) {
        if (errorData == null) {
            return new ConnectRefusal(DEFAULT_MESSAGE, null);
        }
        if (errorData instanceof CharSequence text) {
            return new ConnectRefusal(text.toString(), null);
        }
        if (errorData instanceof Map<?, ?> map && map.get("message") instanceof CharSequence text) {
            return new ConnectRefusal(text.toString(), map.get("data"));
        }
        return new ConnectRefusal(DEFAULT_MESSAGE, errorData);
    }
}
