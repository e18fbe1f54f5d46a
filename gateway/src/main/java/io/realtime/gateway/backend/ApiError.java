package io.realtime.gateway.backend;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.nio.charset.StandardCharsets;

/** An HTTP error of the backend API: status, machine code and message, sent as {@code {"error":{code,message}}}. */
record ApiError(HttpResponseStatus status, String code, String message) {

    static ApiError badRequest(String message) {
        return new ApiError(HttpResponseStatus.BAD_REQUEST, "bad_request", message);
    }

    static ApiError notFound(String code, String message) {
        return new ApiError(HttpResponseStatus.NOT_FOUND, code, message);
    }

    /** Nothing of the failure itself: the caller cannot act on a stack trace, and it may tell of the node's insides. */
    static ApiError internal() {
        return new ApiError(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal_error",
                "the request could not be served; the node's log tells why");
    }

    /** The answer's body, {@code {"error":{"code":...,"message":...}}}, for handlers that answer without a mapper. */
    byte[] json() {
        JsonStringEncoder quote = JsonStringEncoder.getInstance();
        return ("{\"error\":{\"code\":\"" + new String(quote.quoteAsString(code)) + "\",\"message\":\""
                + new String(quote.quoteAsString(message)) + "\"}}").getBytes(StandardCharsets.UTF_8);
    }
}
