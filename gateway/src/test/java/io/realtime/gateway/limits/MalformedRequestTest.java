package io.realtime.gateway.limits;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.realtime.gateway.metrics.HttpCloseMetrics;
import io.realtime.gateway.metrics.MeterNames;
import io.realtime.gateway.testing.ProductNode;
import io.realtime.gateway.testing.WatchedConnections;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
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
 * A request the Socket.IO port's HTTP decoder rejects after its request line (a header it cannot read) is answered
 * 400 with {@code Connection: close} and the connection ends, as Node does: it is not served (no session opened by
 * a handshake), and the request after it does not hang on a decoder that reads nothing more.
 */
class MalformedRequestTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static ProductNode node;

    @BeforeAll
    static void start() {
        node = ProductNode.start(Map.of(), "--requestTimeout=3000");
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void aHandshakeWithAnUnreadableContentLengthIs400AndTheConnectionCloses() throws Exception {
        assertRefusedAndClosed("GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\n");
    }

    @Test
    void aHeaderNameWithASpaceIs400AndTheConnectionCloses() throws Exception {
        assertRefusedAndClosed("GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: a\r\nBad Name: x\r\n\r\n");
    }

    private static void assertRefusedAndClosed(String malformed) throws Exception {
        int sessions = node.node().server().sessionCount();
        double before = malformedCount(node.node().metrics().scrape());
        try (Socket socket = connect()) {
            WatchedConnections.send(socket, malformed
                    + "GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: a\r\n\r\n");
            // Everything up to the node's close: one answer, and nothing for the request after it.
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(answer).startsWith("HTTP/1.1 400 ");
            String head = answer.substring(0, answer.indexOf("\r\n\r\n"));
            assertThat(head.toLowerCase()).contains("connection: close").contains("content-type: application/json");
            String body = answer.substring(head.length() + 4);
            assertThat(head.toLowerCase()).contains("content-length: " + body.getBytes(StandardCharsets.UTF_8).length);
            assertThat(JSON.readTree(body).get("message").asText()).isNotEmpty();
        }
        assertThat(node.node().server().sessionCount()).as("sessions opened").isEqualTo(sessions);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(malformedCount(node.node().metrics().scrape())).isEqualTo(before + 1));
    }

    @Test
    void theSocketIoPortsMalformedSeriesExistsAtZero() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new HttpCloseMetrics(HttpCloseMetrics.Port.SOCKETIO).bindTo(registry);
        assertThat(registry.find(MeterNames.HTTP_CLOSED).tags(MeterNames.PORT, "socketio", MeterNames.REASON, "malformed")
                .counter()).isNotNull().extracting(counter -> counter.count()).isEqualTo(0.0);
    }

    private static double malformedCount(String scraped) {
        String series = "socketio_http_closed_total{port=\"socketio\",reason=\"malformed\"} ";
        int at = scraped.indexOf(series);
        if (at < 0) {
            return 0;
        }
        int end = scraped.indexOf('\n', at);
        return Double.parseDouble(scraped.substring(at + series.length(), end).trim());
    }

    private static Socket connect() throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", node.node().socketIoAddress().getPort()), 5000);
        // Well under the request deadline: an answer that never comes fails here, not at the node's 408-less close.
        socket.setSoTimeout(2000);
        return socket;
    }
}
