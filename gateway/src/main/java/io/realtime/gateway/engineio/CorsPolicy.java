package io.realtime.gateway.engineio;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;

import java.util.List;

/**
 * Cross-origin rules for the HTTP side of Engine.IO: an allow-list of origins ({@code *} for any). A request from
 * an origin on the list gets that origin echoed back with credentials allowed, which long-polling clients that send
 * cookies (sticky sessions) need; any other origin gets no CORS header and the browser blocks it.
 */
public final class CorsPolicy {

    private final List<String> allowedOrigins;
    private final boolean anyOrigin;

    public CorsPolicy(List<String> allowedOrigins) {
        this.allowedOrigins = List.copyOf(allowedOrigins);
        this.anyOrigin = allowedOrigins.contains("*");
    }

    public boolean isEnabled() {
        return !allowedOrigins.isEmpty();
    }

    /**
     * Whether a request with this {@code Origin} header may be served: always when CORS is off or the request has
     * no origin (not a browser, or same-origin navigation), otherwise only an origin on the list.
     */
    public boolean allows(String origin) {
        return origin == null || !isEnabled() || anyOrigin || allowedOrigins.contains(origin);
    }

    /** Adds the CORS headers a response to {@code request} should carry. */
    public void apply(HttpRequest request, HttpHeaders responseHeaders) {
        String origin = request.headers().get(HttpHeaderNames.ORIGIN);
        if (origin == null || !isEnabled()) {
            return;
        }
        if (allows(origin)) {
            responseHeaders.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            responseHeaders.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
            responseHeaders.add(HttpHeaderNames.VARY, HttpHeaderNames.ORIGIN);
        }
    }

    /** Adds the headers of a preflight answer. */
    public void applyPreflight(HttpRequest request, HttpHeaders responseHeaders) {
        apply(request, responseHeaders);
        if (responseHeaders.contains(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN)) {
            responseHeaders.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, "GET, POST, OPTIONS");
            String requested = request.headers().get(HttpHeaderNames.ACCESS_CONTROL_REQUEST_HEADERS);
            if (requested != null) {
                responseHeaders.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, requested);
            }
            responseHeaders.set(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, "86400");
        }
    }
}
