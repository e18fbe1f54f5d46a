package io.realtime.gateway.http;

import io.realtime.gateway.testing.ProductNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The answer to a HEAD on the Socket.IO port carries the GET's headers and no body, whichever handler answers it:
 * a body after its headers would be read by the client as the start of the next response on the connection.
 */
class HeadRequestTest {

    private static ProductNode node;

    @BeforeAll
    static void start() {
        node = ProductNode.start(Map.of("CORS_ORIGINS", "http://allowed.example"));
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            // Engine.IO: a handshake must be a GET (400, keep-alive).
            "HEAD /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: a\r\n\r\n",
            // Engine.IO: an unknown session.
            "HEAD /socket.io/?EIO=4&transport=polling&sid=unknown HTTP/1.1\r\nHost: a\r\n\r\n",
            // The origin check.
            "HEAD /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: a\r\nOrigin: http://refused.example\r\n\r\n",
            // A path that does not decode.
            "HEAD /%zz HTTP/1.1\r\nHost: a\r\n\r\n",
            // The 404.
            "HEAD /nowhere HTTP/1.1\r\nHost: a\r\n\r\n"})
    void aHeadsAnswerHasNoBodyAndTheNextResponseFollowsItsHeaders(String head) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", node.node().socketIoAddress().getPort())) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write((head + "GET /nowhere HTTP/1.1\r\nHost: a\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            String first = headers(in);
            assertThat(first).startsWith("HTTP/1.1 ").containsIgnoringCase("content-length: ");
            assertThat(first.toLowerCase()).doesNotContain("connection: close");
            assertThat(new String(in.readNBytes(8), StandardCharsets.ISO_8859_1)).as("after %s", first).isEqualTo("HTTP/1.1");
            assertThat(headers(in)).startsWith(" 404 ");
        }
    }

    /** A response's head, up to its empty line. */
    private static String headers(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            assertThat(b).as("the connection closed in a response's head: %s", head).isNotNegative();
            head.write(b);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }
}
