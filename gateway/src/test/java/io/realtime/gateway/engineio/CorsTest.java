package io.realtime.gateway.engineio;

import io.realtime.gateway.testing.TestNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** Cross-origin requests are answered for the origins on the allow-list only. */
class CorsTest {

    private static TestNode node;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        node = TestNode.start("--cors=https://app.example,https://admin.example");
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private HttpResponse<String> request(String method, String origin) throws Exception {
        return http.send(HttpRequest.newBuilder(node.uri("/socket.io/?EIO=4&transport=polling"))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .header("Origin", origin)
                .header("Access-Control-Request-Headers", "content-type")
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void allowedOriginIsEchoedWithCredentials() throws Exception {
        HttpResponse<String> response = request("GET", "https://admin.example");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("access-control-allow-origin")).hasValue("https://admin.example");
        assertThat(response.headers().firstValue("access-control-allow-credentials")).hasValue("true");
    }

    @Test
    void preflightOfAnAllowedOriginIsAnswered() throws Exception {
        HttpResponse<String> response = request("OPTIONS", "https://app.example");

        assertThat(response.statusCode()).isEqualTo(204);
        assertThat(response.headers().firstValue("access-control-allow-origin")).hasValue("https://app.example");
        assertThat(response.headers().firstValue("access-control-allow-methods")).hasValueSatisfying(v -> assertThat(v).contains("POST"));
        assertThat(response.headers().firstValue("access-control-allow-headers")).hasValue("content-type");
    }

    @Test
    void otherOriginsGetNoCorsHeaders() throws Exception {
        HttpResponse<String> response = request("GET", "https://evil.example");

        assertThat(response.headers().firstValue("access-control-allow-origin")).isEmpty();
    }
}
