package io.realtime.gateway.admission;

import java.util.List;

/**
 * Where the real client address comes from behind a balancer; both off by default, since a client could otherwise
 * name any address it likes and slip past per-address limits.
 *
 * @param proxyProtocol  every connection starts with a PROXY protocol v1 or v2 header ({@code PROXY_PROTOCOL});
 *                       a connection without one is closed
 * @param trustedProxies CIDRs ({@code TRUSTED_PROXIES}) whose {@code Forwarded} / {@code X-Forwarded-For} headers
 *                       are believed; from any other peer they are ignored
 */
public record ClientAddressOptions(boolean proxyProtocol, List<String> trustedProxies) {

    public static final ClientAddressOptions DIRECT = new ClientAddressOptions(false, List.of());

    public ClientAddressOptions {
        trustedProxies = List.copyOf(trustedProxies);
        TrustedProxies.parse(trustedProxies); // refuses a malformed CIDR now rather than at the first request
    }
}
