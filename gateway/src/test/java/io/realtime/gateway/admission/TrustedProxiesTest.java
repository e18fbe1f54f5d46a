package io.realtime.gateway.admission;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TrustedProxiesTest {

    private final TrustedProxies proxies = TrustedProxies.parse(List.of("10.0.0.0/8", "127.0.0.1", "fd00::/8"));
    private final InetSocketAddress balancer = new InetSocketAddress("10.1.2.3", 40000);
    private final InetSocketAddress stranger = new InetSocketAddress("198.51.100.9", 40000);

    private static HttpHeaders headers(String name, String value) {
        return new DefaultHttpHeaders().add(name, value);
    }

    private String client(InetSocketAddress peer, HttpHeaders headers) {
        return proxies.clientOf(peer, headers).getAddress().getHostAddress();
    }

    @Test
    void aTrustedProxyNamesTheClientAndAnUntrustedPeerIsItself() {
        assertThat(client(balancer, headers("X-Forwarded-For", "203.0.113.7"))).isEqualTo("203.0.113.7");
        assertThat(client(stranger, headers("X-Forwarded-For", "203.0.113.7"))).isEqualTo("198.51.100.9");
        assertThat(client(balancer, new DefaultHttpHeaders())).isEqualTo("10.1.2.3");
    }

    @Test
    void whatTheClientWroteLeftOfTheFirstUntrustedHopIsIgnored() {
        assertThat(client(balancer, headers("X-Forwarded-For", "1.1.1.1, 203.0.113.7, 10.9.9.9"))).isEqualTo("203.0.113.7");
        assertThat(client(balancer, headers("X-Forwarded-For", "10.5.5.5, 10.9.9.9"))).isEqualTo("10.5.5.5");
    }

    @Test
    void onlyTheHeaderTheProxiesWriteIsReadSoAClientCannotNameItselfInTheOther() {
        // nginx writes X-Forwarded-For and passes the client's own Forwarded along untouched.
        HttpHeaders spoofed = headers("Forwarded", "for=192.0.2.99").add("X-Forwarded-For", "203.0.113.7");
        assertThat(client(balancer, spoofed)).isEqualTo("203.0.113.7");
        assertThat(client(balancer, headers("Forwarded", "for=192.0.2.99"))).isEqualTo("10.1.2.3");

        TrustedProxies rfc7239 = TrustedProxies.parse(List.of("10.0.0.0/8"), ClientAddressOptions.ForwardedHeader.FORWARDED);
        assertThat(rfc7239.clientOf(balancer, headers("X-Forwarded-For", "192.0.2.99").add("Forwarded", "for=203.0.113.8"))
                .getAddress().getHostAddress()).isEqualTo("203.0.113.8");
        assertThat(rfc7239.clientOf(balancer, headers("X-Forwarded-For", "192.0.2.99")).getAddress().getHostAddress())
                .isEqualTo("10.1.2.3");
    }

    @Test
    void forwardedIsReadWithQuotesPortsAndIpv6() {
        TrustedProxies rfc7239 = TrustedProxies.parse(List.of("10.0.0.0/8"), ClientAddressOptions.ForwardedHeader.FORWARDED);
        HttpHeaders forwarded = headers("Forwarded", "for=\"[2001:db8:cafe::17]:4711\";proto=https, for=10.2.2.2");
        assertThat(rfc7239.clientOf(balancer, forwarded).getAddress().getHostAddress()).isEqualTo("2001:db8:cafe:0:0:0:0:17");
        assertThat(rfc7239.clientOf(balancer, headers("Forwarded", "for=192.0.2.60:8080;by=10.0.0.1"))
                .getAddress().getHostAddress()).isEqualTo("192.0.2.60");
        assertThat(rfc7239.clientOf(balancer, headers("Forwarded", "for=unknown")).getAddress().getHostAddress())
                .isEqualTo("10.1.2.3");
    }

    @Test
    void aMalformedCidrIsRefused() {
        assertThatThrownBy(() -> TrustedProxies.parse(List.of("10.0.0.0/33"))).hasMessageContaining("10.0.0.0/33");
        assertThatThrownBy(() -> TrustedProxies.parse(List.of("proxy.local"))).hasMessageContaining("proxy.local");
    }
}
