package io.realtime.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.realtime.gateway.testing.ProductNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A request path with a malformed percent escape ({@code /%zz}) gets a 400 with a JSON body on both ports, and the
 * connection stays usable: before, the handlers routing by the decoded path threw and the connection closed unanswered.
 */
class UndecodablePathTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static ProductNode node;

    @BeforeAll
    static void start() {
        node = ProductNode.start(Map.of("API_KEY", "key"), "--pingInterval=25000");
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    /** One HTTP/1.1 exchange on an open socket: the status code and the body (read by its Content-Length). */
    private static Map.Entry<Integer, String> exchange(Socket socket, String request) throws IOException {
        socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            assertThat(b).as("the connection closed before the answer's headers ended: %s", head).isNotNegative();
            head.write(b);
        }
        String headers = head.toString(StandardCharsets.ISO_8859_1);
        int status = Integer.parseInt(headers.substring(9, 12));
        java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(headers);
        assertThat(length.find()).as("a Content-Length in %s", headers).isTrue();
        byte[] body = in.readNBytes(Integer.parseInt(length.group(1)));
        return Map.entry(status, new String(body, StandardCharsets.UTF_8));
    }

    @Test
    void theSocketIoPortAnswers400AndKeepsTheConnection() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", node.uri("/").getPort())) {
            socket.setSoTimeout(5000);
            Map.Entry<Integer, String> bad = exchange(socket, "GET /%zz HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertThat(bad.getKey()).isEqualTo(400);
            assertThat(JSON.readTree(bad.getValue()).get("code").asInt()).isEqualTo(400);

            Map.Entry<Integer, String> next = exchange(socket,
                    "GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertThat(next.getKey()).isEqualTo(200);
            assertThat(next.getValue()).startsWith("0{\"sid\":");
        }
    }

    @Test
    void theInternalPortAnswers400WithAnApiErrorBeforeAnyKeyCheckAndKeepsTheConnection() throws Exception {
        String body = "x".repeat(4000);
        try (Socket socket = new Socket("127.0.0.1", node.apiUri("/").getPort())) {
            socket.setSoTimeout(5000);
            Map.Entry<Integer, String> bad = exchange(socket, "POST /api/v1/notifications/%zz HTTP/1.1\r\nHost: localhost\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
            assertThat(bad.getKey()).isEqualTo(400);
            JsonNode error = JSON.readTree(bad.getValue()).get("error");
            assertThat(error.get("code").asText()).isEqualTo("bad_request");
            assertThat(error.get("message").asText()).contains("percent escape");

            Map.Entry<Integer, String> next = exchange(socket, "GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertThat(next.getKey()).isEqualTo(200);
        }
    }
}
