package io.realtime.gateway.limits;

import java.time.Duration;

/**
 * What bounds an HTTP connection on the Socket.IO port before Engine.IO's heartbeat covers it (after a handshake the
 * session's pings close a silent client; before it, and between polling requests, nothing else would).
 *
 * @param requestTimeout        a request, once begun (or from the connection's opening, for its first one), must be
 *                              received whole (headers and body) within it ({@code REQUEST_TIMEOUT}; default 10 s)
 * @param idleTimeout           a keep-alive connection with no request in flight is closed after it
 *                              ({@code IDLE_CONNECTION_TIMEOUT}; default 30 s); a long-poll held by the server is a
 *                              request in flight, a WebSocket is no longer HTTP
 * @param maxInitialLineLength  longest request line (method, URI, version); past it 414 (default 8192)
 * @param maxHeaderSize         largest header block; past it 431 (default 16384, Node's {@code maxHeaderSize})
 */
public record HttpLimits(Duration requestTimeout, Duration idleTimeout, int maxInitialLineLength, int maxHeaderSize) {

    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_INITIAL_LINE_LENGTH = 8192;
    public static final int DEFAULT_MAX_HEADER_SIZE = 16384;

    public static final HttpLimits DEFAULTS = new HttpLimits(DEFAULT_REQUEST_TIMEOUT, DEFAULT_IDLE_TIMEOUT,
            DEFAULT_MAX_INITIAL_LINE_LENGTH, DEFAULT_MAX_HEADER_SIZE);

    public HttpLimits {
        if (requestTimeout == null || requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("requestTimeout must be positive: " + requestTimeout);
        }
        if (idleTimeout == null || idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("idleTimeout must be positive: " + idleTimeout);
        }
        if (maxInitialLineLength < 256 || maxHeaderSize < 1024) {
            throw new IllegalArgumentException("maxInitialLineLength must be 256 or more and maxHeaderSize 1024 or more");
        }
    }

    public HttpLimits withTimeouts(Duration request, Duration idle) {
        return new HttpLimits(request, idle, maxInitialLineLength, maxHeaderSize);
    }
}
