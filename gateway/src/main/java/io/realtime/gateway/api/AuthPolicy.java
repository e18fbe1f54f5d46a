package io.realtime.gateway.api;

/** What a namespace asks of a client's token when authentication is on ({@code AUTH_MODE=jwt}). */
public enum AuthPolicy {
    /** A valid token is needed to connect: what every namespace asks unless it is named public. */
    REQUIRED,
    /**
     * Anonymous clients connect; a token, when given, must still be a valid one. The start log names every public
     * namespace and who made it so, since it is a hole an operator must know about.
     */
    PUBLIC
}
