package io.realtime.gateway.stats;

/**
 * Why an HTTP port closed a connection on its own: a deadline of {@code limits.HttpLimits}, or the answer to a
 * request its HTTP decoder gave up on; {@link #tag()} is the metric tag value.
 */
public enum HttpClose {
    /** A request not received whole within REQUEST_TIMEOUT (a silent or slowloris client). */
    REQUEST_TIMEOUT("request_timeout"),
    /** No request within IDLE_CONNECTION_TIMEOUT of the last answer. */
    IDLE_TIMEOUT("idle_timeout"),
    /** A request line over the limit, answered 414. */
    URI_TOO_LONG("uri_too_long"),
    /** A header block over the limit, answered 431. */
    HEADERS_TOO_LARGE("headers_too_large"),
    /** Any other request the decoder could not read (not valid HTTP), answered 400. */
    MALFORMED("malformed");

    private final String tag;

    HttpClose(String tag) {
        this.tag = tag;
    }

    public String tag() {
        return tag;
    }
}
