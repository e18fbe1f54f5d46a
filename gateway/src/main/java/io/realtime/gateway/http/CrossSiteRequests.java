package io.realtime.gateway.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * Requests a browser sends from a page of another site. A page can make a browser POST anywhere (a "simple" request
 * needs no preflight), so an endpoint that trusts its caller by address alone (loopback, no key) must refuse them;
 * browsers name the page's origin in {@code Origin} on every such request, and tools like curl send none.
 * A page whose own name was rebound to this machine (DNS rebinding) is no other site: {@link LoopbackHostNames}.
 */
public final class CrossSiteRequests {

    private CrossSiteRequests() {
    }

    /** Whether {@code request} carries an {@code Origin} other than its own host (an opaque {@code null} included). */
    public static boolean isCrossSite(HttpRequest request) {
        String origin = request.headers().get(HttpHeaderNames.ORIGIN);
        if (origin == null) {
            return false;
        }
        String host = request.headers().get(HttpHeaderNames.HOST);
        try {
            String authority = new URI(origin).getRawAuthority();
            return host == null || authority == null || !authority.equalsIgnoreCase(host);
        } catch (URISyntaxException malformed) {
            return true;
        }
    }
}
