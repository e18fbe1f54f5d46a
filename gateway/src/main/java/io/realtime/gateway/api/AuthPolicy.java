package io.realtime.gateway.api;

/** What a namespace asks of a client's token when authentication is on ({@code AUTH_MODE=jwt}). */
public enum AuthPolicy {
    /** A valid token is needed to connect. */
    REQUIRED,
    /** Anonymous clients connect; a token, when given, must be valid. */
    OPTIONAL
}
