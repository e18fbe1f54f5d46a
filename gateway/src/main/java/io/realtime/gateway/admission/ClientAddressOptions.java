package io.realtime.gateway.admission;

import java.util.List;

/**
 * Where the real client address comes from behind a balancer; both off by default, since a client could otherwise
 * name any address it likes and slip past per-address limits.
 *
 * @param proxyProtocol   every connection starts with a PROXY protocol v1 or v2 header ({@code PROXY_PROTOCOL});
 *                        a connection without one is closed
 * @param proxyProtocolFrom CIDRs ({@code PROXY_PROTOCOL_FROM}) of the balancers that send that header; a connection
 *                        from any other peer is closed before anything is read. Required with {@code proxyProtocol}:
 *                        the header names the client, so a client reaching the port itself could name any address
 * @param trustedProxies  CIDRs ({@code TRUSTED_PROXIES}) whose forwarding header is believed; from any other peer it
 *                        is ignored
 * @param forwardedHeader the one header those proxies write ({@code FORWARDED_HEADER}): a proxy passes the other
 *                        along as the client sent it, so reading both would let a client name its own address
 */
public record ClientAddressOptions(boolean proxyProtocol, List<String> proxyProtocolFrom, List<String> trustedProxies,
                                   ForwardedHeader forwardedHeader) {

    public static final ClientAddressOptions DIRECT =
            new ClientAddressOptions(false, List.of(), List.of(), ForwardedHeader.X_FORWARDED_FOR);

    /** Why the PROXY protocol without the balancers allowed to send its header is refused. */
    public static final String NO_BALANCERS = "PROXY_PROTOCOL=true needs PROXY_PROTOCOL_FROM, the CIDRs of the balancers"
            + " that send the PROXY header (comma-separated): from any other peer the header would be believed too,"
            + " naming whatever client address it likes";

    /** The headers a proxy may name the client in. */
    public enum ForwardedHeader {
        /** {@code X-Forwarded-For}: what nginx, HAProxy, Envoy and the cloud balancers write. */
        X_FORWARDED_FOR("x-forwarded-for"),
        /** {@code Forwarded} (RFC 7239), its {@code for=} parameters. */
        FORWARDED("forwarded");

        private final String setting;

        ForwardedHeader(String setting) {
            this.setting = setting;
        }

        /** The value of {@code FORWARDED_HEADER} that names it. */
        public String setting() {
            return setting;
        }
    }

    public ClientAddressOptions {
        java.util.Objects.requireNonNull(forwardedHeader, "forwardedHeader");
        proxyProtocolFrom = List.copyOf(proxyProtocolFrom);
        trustedProxies = List.copyOf(trustedProxies);
        if (proxyProtocol && proxyProtocolFrom.isEmpty()) {
            throw new IllegalArgumentException(NO_BALANCERS);
        }
        // Refuses a malformed CIDR now rather than at the first connection or request.
        TrustedProxies.parse(proxyProtocolFrom);
        TrustedProxies.parse(trustedProxies);
    }
}
