package io.realtime.gateway.http;

import io.netty.handler.codec.http.QueryStringDecoder;

import java.nio.charset.StandardCharsets;

/** Parts of a request's raw path, decoded once each, as a path segment is. */
public final class PathSegments {

    private PathSegments() {
    }

    /**
     * Decodes one raw path segment: percent escapes only, so a {@code '+'} stays a plus (Netty's component decoder
     * reads it as a space, as in a query string). A malformed escape throws; {@link UndecodablePathHandler} ahead
     * has answered those.
     */
    public static String decode(String rawSegment) {
        return QueryStringDecoder.decodeComponent(rawSegment.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
