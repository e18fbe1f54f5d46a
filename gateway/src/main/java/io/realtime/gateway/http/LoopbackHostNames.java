package io.realtime.gateway.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.NetUtil;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.regex.Pattern;

/**
 * Whether a request to an endpoint that trusts loopback callers without a key names this machine in {@code Host}
 * (and {@code Origin}, when sent). A loopback address alone does not prove the caller is a local tool: with DNS
 * rebinding, a page of {@code evil.example} whose name now resolves to 127.0.0.1 is same-origin with itself, so
 * its browser sends {@code Host: evil.example:9090} and an {@code Origin} that matches it. Such a page can only ever
 * name its own host, never {@code localhost}, a 127.0.0.0/8 address or {@code [::1]}.
 */
public final class LoopbackHostNames {

    /** A host with an optional port; the host a bracketed IPv6 literal or a name/IPv4 address without ':'. */
    private static final Pattern HOST_AND_PORT = Pattern.compile("(\\[[0-9A-Fa-f:.]+]|[^:\\[\\]]+)(:[0-9]{0,5})?");

    private LoopbackHostNames() {
    }

    /** Why {@code request} does not name this machine ({@code null}: it does). */
    public static String whyNotLoopback(HttpRequest request) {
        String host = request.headers().get(HttpHeaderNames.HOST);
        if (host == null || !isLoopback(host)) {
            return "without API_KEY only a Host of localhost, 127.0.0.0/8 or [::1] is served (Host: "
                    + (host == null ? "none" : host) + ")";
        }
        String origin = request.headers().get(HttpHeaderNames.ORIGIN);
        if (origin != null && !isLoopbackOrigin(origin)) {
            return "without API_KEY only an Origin of localhost, 127.0.0.0/8 or [::1] is served";
        }
        return null;
    }

    /** Whether {@code authority} ({@code host[:port]}, as in {@code Host}) names a loopback host, whatever the port. */
    static boolean isLoopback(String authority) {
        java.util.regex.Matcher matcher = HOST_AND_PORT.matcher(authority.trim());
        if (!matcher.matches()) {
            return false;
        }
        String host = matcher.group(1);
        if (host.startsWith("[")) {
            host = host.substring(1, host.length() - 1);
            if (!NetUtil.isValidIpV6Address(host)) {
                return false;
            }
        } else if (host.equalsIgnoreCase("localhost")) {
            return true;
        } else if (!NetUtil.isValidIpV4Address(host)) {
            // Any other name may resolve anywhere, to this machine included.
            return false;
        }
        // A literal address only: no name is ever looked up (that would block the event loop).
        InetAddress address = NetUtil.createInetAddressFromIpAddressString(host);
        return address != null && address.isLoopbackAddress();
    }

    private static boolean isLoopbackOrigin(String origin) {
        try {
            String authority = new URI(origin).getRawAuthority();
            return authority != null && isLoopback(authority);
        } catch (URISyntaxException malformed) {
            return false;
        }
    }
}
