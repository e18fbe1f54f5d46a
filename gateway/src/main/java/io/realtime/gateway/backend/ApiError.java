package io.realtime.gateway.backend;

import io.netty.handler.codec.http.HttpResponseStatus;

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
}
