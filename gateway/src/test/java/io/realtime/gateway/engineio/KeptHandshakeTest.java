package io.realtime.gateway.engineio;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.QueryStringDecoder;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/** The compact handshake gives back what the request had: every header, the query in its order. */
class KeptHandshakeTest {

    private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 50_000);
    private static final InetSocketAddress LOCAL = new InetSocketAddress("127.0.0.1", 3000);

    private static KeptHandshake handshake() {
        HttpHeaders headers = new DefaultHttpHeaders()
                .add("Host", "example.com").add("Cookie", "a=1").add("Cookie", "b=2").add("Authorization", "Bearer t");
        String url = "/socket.io/?EIO=4&transport=websocket&token=abc&tag=x&tag=y&empty=";
        return KeptHandshake.of(headers, new QueryStringDecoder(url).parameters(), CLIENT, LOCAL, new String(url), true);
    }

    @Test
    void headersComeBackEveryOneInOrderAndCaseInsensitively() {
        HttpHeaders headers = handshake().getHttpHeaders();

        assertThat(headers.get("host")).isEqualTo("example.com");
        assertThat(headers.getAll("cookie")).containsExactly("a=1", "b=2");
        assertThat(headers.get("AUTHORIZATION")).isEqualTo("Bearer t");
        assertThat(headers.names()).hasSize(3);
        // A new copy each time: a caller that changes it changes nothing kept.
        headers.remove("host");
        assertThat(handshake().getHttpHeaders().get("host")).isEqualTo("example.com");
    }

    @Test
    void theQueryKeepsItsOrderAndItsValues() {
        KeptHandshake handshake = handshake();
        Map<String, List<String>> query = handshake.getUrlParams();

        assertThat(query).containsExactly(entry("EIO", List.of("4")), entry("transport", List.of("websocket")),
                entry("token", List.of("abc")), entry("tag", List.of("x", "y")), entry("empty", List.of("")));
        assertThat(handshake.getSingleUrlParam("token")).isEqualTo("abc");
        assertThat(query.get("absent")).isNull();
        assertThat(query.containsKey("tag")).isTrue();
        // The common values are shared by every handshake.
        assertThat(query.get("transport")).isSameAs(handshake().getUrlParams().get("transport"));
    }

    @Test
    void valuesManyClientsShareAreHeldOnceAndOthersEachTheirOwn() {
        String url = "/socket.io/?EIO=4&transport=websocket";
        KeptHandshake first = KeptHandshake.of(new DefaultHttpHeaders().add("Upgrade", new String("websocket"))
                .add("Cookie", new String("c=1")), new QueryStringDecoder(url).parameters(), CLIENT, LOCAL, new String(url), false);
        KeptHandshake second = KeptHandshake.of(new DefaultHttpHeaders().add("Upgrade", new String("websocket"))
                .add("Cookie", new String("c=1")), new QueryStringDecoder(url).parameters(), CLIENT, LOCAL, new String(url), false);

        assertThat(first.getHttpHeaders().get("upgrade")).isSameAs(second.getHttpHeaders().get("upgrade"));
        assertThat(first.getHttpHeaders().get("cookie")).isNotSameAs(second.getHttpHeaders().get("cookie"));
        assertThat(first.getUrl()).isSameAs(second.getUrl());
        assertThat(first.getUrlParams()).isSameAs(second.getUrlParams());
        // A URL with a query of its own (a token) is not shared.
        assertThat(handshake().getUrl()).isNotSameAs(handshake().getUrl());
    }

    @Test
    void withAuthIsTheSameHandshakeWithAnotherAuthPayload() {
        KeptHandshake handshake = handshake();
        KeptHandshake withAuth = handshake.withAuth(Map.of("token", "xyz"));

        assertThat(withAuth.getAuthToken()).isEqualTo(Map.of("token", "xyz"));
        // The connection's own handshake says no auth, as socket.io's handshake.auth does: {}.
        assertThat(handshake.getAuthToken()).isEqualTo(Map.of());
        assertThat(withAuth.getUrlParams()).isSameAs(handshake.getUrlParams());
        assertThat(withAuth.getHttpHeaders().get("cookie")).isEqualTo("a=1");
        assertThat(withAuth.getAddress()).isEqualTo(CLIENT);
        assertThat(withAuth.getLocal()).isEqualTo(LOCAL);
        assertThat(withAuth.getUrl()).isEqualTo(handshake.getUrl());
        assertThat(withAuth.isXdomain()).isTrue();
    }

    @Test
    void aSocketWithoutAuthSharesItsConnectionsHandshake() {
        KeptHandshake handshake = handshake();

        assertThat(handshake.withAuth(Map.of())).isSameAs(handshake);
        assertThat(handshake.withAuth(new java.util.HashMap<>())).isSameAs(handshake);
        KeptHandshake withAuth = handshake.withAuth(Map.of("token", "xyz"));
        assertThat(withAuth).isNotSameAs(handshake);
        assertThat(withAuth.withAuth(Map.of())).as("a handshake with auth of its own is not shared").isNotSameAs(withAuth)
                .satisfies(copy -> assertThat(copy.getAuthToken()).isEqualTo(Map.of()));
        assertThat(handshake.getAuthToken()).isEqualTo(Map.of());
    }
}
