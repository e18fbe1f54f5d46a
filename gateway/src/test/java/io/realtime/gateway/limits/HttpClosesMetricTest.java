package io.realtime.gateway.limits;

import io.realtime.gateway.testing.ProductNode;
import io.realtime.gateway.testing.WatchedConnections;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Outside in, on the Socket.IO port: a silent connection, an idle keep-alive one, a request line too long and a
 * header block too large are each closed and counted under their own reason, once, so that an operator sees a
 * slowloris attack or clients whose cookies get 431.
 */
class HttpClosesMetricTest {

    @Test
    void everyConnectionTheSocketIoPortClosesOnItsOwnIsCountedByReason() throws Exception {
        try (ProductNode node = ProductNode.start(Map.of(), "--requestTimeout=1000", "--idleConnectionTimeout=1000")) {
            int port = node.node().socketIoAddress().getPort();
            assertThat(node.node().metrics().scrape())
                    .contains("socketio_http_closed_total{port=\"socketio\",reason=\"request_timeout\"} 0.0");

            try (Socket silent = connect(port); Socket idle = connect(port); Socket lineTooLong = connect(port);
                 Socket headersTooLarge = connect(port)) {
                WatchedConnections.send(idle, "GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
                WatchedConnections.send(lineTooLong, "GET /socket.io/?" + "x".repeat(HttpLimits.DEFAULT_MAX_INITIAL_LINE_LENGTH)
                        + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
                WatchedConnections.send(headersTooLarge, "GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: "
                        + "c".repeat(HttpLimits.DEFAULT_MAX_HEADER_SIZE + 1000) + "\r\n\r\n");

                assertThat(readAll(lineTooLong)).startsWith("HTTP/1.1 414 ");
                assertThat(readAll(headersTooLarge)).startsWith("HTTP/1.1 431 ");
                assertThat(readAll(idle)).startsWith("HTTP/1.1 200 ");
                assertThat(readAll(silent)).isEmpty();
            }

            // Each counted before its close: by now, and never again (the deadlines skip what the 414/431 closed).
            await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    assertThat(node.node().metrics().scrape())
                            .contains("socketio_http_closed_total{port=\"socketio\",reason=\"request_timeout\"} 1.0")
                            .contains("socketio_http_closed_total{port=\"socketio\",reason=\"idle_timeout\"} 1.0")
                            .contains("socketio_http_closed_total{port=\"socketio\",reason=\"uri_too_long\"} 1.0")
                            .contains("socketio_http_closed_total{port=\"socketio\",reason=\"headers_too_large\"} 1.0"));
        }
    }

    private static Socket connect(int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(10_000);
        return socket;
    }

    /** Everything until the node closes the connection (reads time out after 10 s, failing the test). */
    private static String readAll(Socket socket) throws IOException {
        return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
}
