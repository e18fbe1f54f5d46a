package io.realtime.gateway.http;

import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Which Host and Origin names prove a keyless loopback request is no rebound page (DNS rebinding). */
class LoopbackHostNamesTest {

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "LOCALHOST:9090", "127.0.0.1", "127.0.0.1:9090", "127.5.6.7:80", "[::1]",
            "[::1]:9090", "[0:0:0:0:0:0:0:1]:1", "localhost.", "localhost.:9090", "[::ffff:127.0.0.1]:9090",
            "[::ffff:7f00:2]"})
    void thisMachinesNamesAreLoopback(String host) {
        assertThat(LoopbackHostNames.isLoopback(host)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"evil.example:9090", "evil.example", "localhost.evil.example", "127.0.0.1.evil.example",
            "128.0.0.1", "10.0.0.1:9090", "[::2]", "[::1", "::1", "", "localhost:9090:1", "127.1", "[evil]",
            "localhost..", "127.0.0.1.", "[::ffff:10.0.0.1]", "[::ffff:0:127.0.0.1]", "0.0.0.0", "0.0.0.0:9090"})
    void otherNamesAreNot(String host) {
        assertThat(LoopbackHostNames.isLoopback(host)).isFalse();
    }

    @ParameterizedTest
    @CsvSource(nullValues = "none", value = {
            "localhost:9090, none, true",
            "localhost:9090, http://localhost:9090, true",
            "127.0.0.1:9090, http://[::1]:8080, true",
            "evil.example:9090, http://evil.example:9090, false",
            "evil.example:9090, none, false",
            "localhost:9090, http://evil.example:9090, false",
            "localhost:9090, null, false",
            "none, none, true",
            "none, http://evil.example:9090, false",
            "localhost.:9090, http://localhost.:9090, true",
            "[::ffff:127.0.0.1]:9090, none, true",
            "0.0.0.0:9090, none, true",
            "0.0.0.0, http://localhost:8080, true",
            "0.0.0.0:9090, http://evil.example, false",
            "0.0.0.0:9090, http://0.0.0.0:9090, false",
            "127.1:9090, none, false"})
    void aRequestIsServedOnlyWhenItsHostAndOriginNameThisMachineOrItHasNoHost(String host, String origin, boolean served) {
        HttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/api/v1/data");
        if (host != null) {
            request.headers().set("Host", host);
        }
        if (origin != null) {
            request.headers().set("Origin", origin);
        }
        String refusal = LoopbackHostNames.whyNotLoopback(request);
        if (served) {
            assertThat(refusal).isNull();
        } else {
            assertThat(refusal).contains("localhost, 127.0.0.0/8").contains("[::1]").endsWith("or set API_KEY and send it as a bearer token");
        }
    }

    /** A proxy on this machine forwards anyone's requests from loopback, naming this machine in Host by default. */
    @ParameterizedTest
    @CsvSource({"Forwarded, for=203.0.113.7", "X-Forwarded-For, 203.0.113.7", "X-Real-IP, 203.0.113.7",
            "Via, 1.1 nginx", "X-Forwarded-Host, app.example"})
    void aRequestAProxyForwardedIsNotALocalCallersEvenNamingThisMachine(String header, String value) {
        HttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/api/v1/data");
        request.headers().set("Host", "127.0.0.1:3000");

        assertThat(LoopbackHostNames.whyNotLoopback(request)).isNull();
        request.headers().set(header, value);
        assertThat(LoopbackHostNames.whyNotLoopback(request)).contains("forwarded by a proxy (" + header + ")")
                .endsWith("set API_KEY and send it as a bearer token");
        assertThat(LoopbackHostNames.whyNotLoopbackName(request)).isNull();
    }
}
