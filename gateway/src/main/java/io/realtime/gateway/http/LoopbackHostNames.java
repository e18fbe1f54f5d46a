package io.realtime.gateway.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.NetUtil;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Whether a request to an endpoint that trusts loopback callers without a key names this machine in {@code Host}
 * (and {@code Origin}, when sent). A loopback address alone does not prove the caller is a local tool: with DNS
 * rebinding, a page of {@code evil.example} whose name now resolves to 127.0.0.1 is same-origin with itself, so
 * its browser sends {@code Host: evil.example:9090} and an {@code Origin} that matches it. Such a page can only ever
 * name its own host, never {@code localhost} (with or without its trailing dot), a 127.0.0.0/8 address, {@code [::1]}
 * or {@code [::ffff:127.x.x.x]}.
 * <p>
 * Also served: a request without {@code Host} (HTTP/1.0 tools; a browser always sends it, so its absence is no
 * rebound page) and {@code Host: 0.0.0.0} ({@code curl http://0.0.0.0:9090} reaches this machine on Linux; no page
 * can be served from a name it does not own, and a page of another site calling 0.0.0.0 sends its own
 * {@code Origin}, which is still checked). Names are literals only, never looked up; the shorthand {@code 127.1}
 * stays refused.
 */
public final class LoopbackHostNames {

    /** A host with an optional port; the host a bracketed IPv6 literal or a name/IPv4 address without ':'. */
    private static final Pattern HOST_AND_PORT = Pattern.compile("(\\[[0-9A-Fa-f:.]+]|[^:\\[\\]]+)(:[0-9]{0,5})?");

    /** What the refusal tells the caller to do instead. */
    private static final String REMEDY = ": call it by one of these names, or set API_KEY and send it as a bearer token";

    private LoopbackHostNames() {
    }

    /**
     * The headers a proxy writes about the client it forwards for. A proxy on this machine (a sidecar in front of a
     * Socket.IO port on loopback) forwards anyone's requests from a loopback address, and with nginx's default
     * {@code Host}, its upstream's ({@code proxy_pass http://127.0.0.1:3000}), they name this machine too; a local
     * tool never sends these.
     */
    private static final List<String> FORWARDING_HEADERS =
            List.of("Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Real-IP", "Via");

    /**
     * Why {@code request}, from a loopback address, is not a local caller's ({@code null}: nothing says so): it was
     * forwarded by a proxy, or it names another host ({@link #whyNotLoopbackName}).
     */
    public static String whyNotLoopback(HttpRequest request) {
        for (String header : FORWARDING_HEADERS) {
            if (request.headers().contains(header)) {
                return "without API_KEY a request forwarded by a proxy (" + header + ") is not served: it may come from"
                        + " anywhere; set API_KEY and send it as a bearer token";
            }
        }
        return whyNotLoopbackName(request);
    }

    /** Why {@code request} does not name this machine ({@code null}: it does). */
    public static String whyNotLoopbackName(HttpRequest request) {
        String host = request.headers().get(HttpHeaderNames.HOST);
        if (host != null && !isLoopback(host) && !isUnspecified(host)) {
            return "without API_KEY only a Host of localhost, 127.0.0.0/8, [::1] or 0.0.0.0 is served (Host: " + host + ")"
                    + REMEDY;
        }
        String origin = request.headers().get(HttpHeaderNames.ORIGIN);
        if (origin != null && !isLoopbackOrigin(origin)) {
            return "without API_KEY only an Origin of localhost, 127.0.0.0/8 or [::1] is served" + REMEDY;
        }
        return null;
    }

    /** Whether {@code authority} ({@code host[:port]}, as in {@code Host}) names a loopback host, whatever the port. */
    static boolean isLoopback(String authority) {
        String host = hostOf(authority);
        if (host == null) {
            return false;
        }
        if (host.startsWith("[")) {
            host = host.substring(1, host.length() - 1);
            if (!NetUtil.isValidIpV6Address(host)) {
                return false;
            }
        } else if (host.equalsIgnoreCase("localhost") || host.equalsIgnoreCase("localhost.")) {
            // "localhost." is the same name, fully qualified.
            return true;
        } else if (!NetUtil.isValidIpV4Address(host)) {
            // Any other name may resolve anywhere, to this machine included.
            return false;
        }
        // A literal address only: no name is ever looked up (that would block the event loop).
        // From an IPv4-mapped literal (::ffff:127.x.x.x) the JDK makes the IPv4 address: loopback as 127/8 is.
        InetAddress address = NetUtil.createInetAddressFromIpAddressString(host);
        return address != null && address.isLoopbackAddress();
    }

    /**
     * Whether {@code authority} is {@code 0.0.0.0}, whatever the port: Linux connects it to this machine. Accepted as
     * a {@code Host} only; an {@code Origin} naming it is no page of this machine's loopback names.
     */
    static boolean isUnspecified(String authority) {
        return "0.0.0.0".equals(hostOf(authority));
    }

    /** The host part of {@code authority} (brackets kept), or {@code null} when it is no host[:port]. */
    private static String hostOf(String authority) {
        java.util.regex.Matcher matcher = HOST_AND_PORT.matcher(authority.trim());
        return matcher.matches() ? matcher.group(1) : null;
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
