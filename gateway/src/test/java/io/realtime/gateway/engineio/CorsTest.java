package io.realtime.gateway.engineio;

import io.realtime.gateway.testing.TestNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Cross-origin requests are answered for the origins on the allow-list only; a foreign origin is refused outright,
 * on WebSocket (which browsers never check against CORS) and on polling.
 */
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
    void aBodyTooLargeIsRefusedWithTheCorsHeadersSoABrowserSeesThe413() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(node.uri("/socket.io/?EIO=4&transport=polling&sid=unknown"))
                .POST(HttpRequest.BodyPublishers.ofString("4" + "x".repeat(2_000_000)))
                .header("Origin", "https://app.example")
                .build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.headers().firstValue("access-control-allow-origin")).hasValue("https://app.example");
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
    void otherOriginsAreRefusedOnPollingWithoutCorsHeaders() throws Exception {
        HttpResponse<String> response = request("GET", "https://evil.example");

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.body()).isEqualTo("{\"code\":\"origin_not_allowed\",\"message\":\"this origin is not in CORS_ORIGINS\"}");
        assertThat(response.headers().firstValue("access-control-allow-origin")).isEmpty();
        assertThat(request("POST", "https://evil.example").statusCode()).isEqualTo(403);
    }

    @Test
    void aWebSocketFromAForeignOriginIsRefusedAndOneFromAnAllowedOriginOrNoBrowserOpens() throws Exception {
        assertThat(webSocketAnswer("Origin: https://evil.example\r\n")).startsWith("HTTP/1.1 403")
                .contains("origin_not_allowed");
        assertThat(webSocketAnswer("Origin: https://app.example\r\n")).startsWith("HTTP/1.1 101");
        assertThat(webSocketAnswer("")).startsWith("HTTP/1.1 101");
    }

    /** The head of the answer to a WebSocket handshake with the extra header lines given. */
    private String webSocketAnswer(String extraHeaders) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", node.port())) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n" + extraHeaders + "\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            byte[] answer = new byte[512];
            int read = socket.getInputStream().read(answer);
            return new String(answer, 0, Math.max(read, 0), java.nio.charset.StandardCharsets.ISO_8859_1);
        }
    }
}
