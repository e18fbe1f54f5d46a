package io.realtime.gateway.backend;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.realtime.gateway.api.Validators;
import io.realtime.gateway.broadcast.ServerPush;
import io.realtime.gateway.health.NodeHealth;
import io.realtime.gateway.limits.HttpLimits;
import io.realtime.gateway.metrics.GatewayMetrics;
import io.realtime.gateway.testing.WatchedConnections;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;

import static io.realtime.gateway.testing.WatchedConnections.readSome;
import static io.realtime.gateway.testing.WatchedConnections.send;
import static org.assertj.core.api.Assertions.assertThat;

/** The internal port's HTTP edge, on a real server: what requests its handlers never see are answered. */
class BackendApiServerHttpTest {

    /**
     * Short request and idle deadlines, for the one test that watches them close connections. The others keep the
     * defaults: the request clock starts when the connection opens, so a stall between connect and send on a loaded
     * machine would close their connection before the request they test is even sent.
     */
    private static final HttpLimits SHORT_DEADLINES =
            HttpLimits.DEFAULTS.withTimeouts(Duration.ofMillis(300), Duration.ofMillis(300));

    private final WatchedConnections clients = new WatchedConnections();
    private final GatewayMetrics metrics = new GatewayMetrics();
    private BackendApiServer api;
    private int port;

    @BeforeEach
    void start() {
        start(HttpLimits.DEFAULTS);
    }

    private void start(HttpLimits limits) {
        NodeHealth health = new NodeHealth(null, null);
        health.serving();
        api = BackendApiServer.start("127.0.0.1", 0, 1000, null, new ServerPush((target, event, args) -> { }),
                new ObjectMapper(), Validators.create(), "key", health, metrics, Duration.ZERO, limits);
        port = api.localAddress().getPort();
    }

    @AfterEach
    void stop() throws IOException {
        api.close();
        clients.close();
        metrics.close();
    }

    @Test
    void headersOverTheDecodersLimitGet431InJsonAndTheConnectionIsClosed() throws Exception {
        Socket socket = clients.connect(port);
        send(socket, "POST /api/v1/data HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer key\r\nX-Big: "
                + "x".repeat(HttpLimits.DEFAULT_MAX_HEADER_SIZE + 1000) + "\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");

        String answer = readAll(socket);
        assertThat(answer).startsWith("HTTP/1.1 431 ").containsIgnoringCase("connection: close")
                .contains("{\"error\":{\"code\":\"headers_too_large\"");
        assertThat(closed(metrics.scrape(), "headers_too_large")).isEqualTo(1);
    }

    /** The request line and header block are bounded by HttpLimits, as on the Socket.IO port, not by Netty's defaults. */
    @Test
    void theRequestLineAndHeadersAreBoundedByTheHttpLimits() throws Exception {
        Socket withinTheLimits = clients.connect(port);
        send(withinTheLimits, "GET /api/v1/nothing?" + "x".repeat(HttpLimits.DEFAULT_MAX_INITIAL_LINE_LENGTH - 1000)
                + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + "x".repeat(HttpLimits.DEFAULT_MAX_HEADER_SIZE - 1000)
                + "\r\n\r\n");
        // Decoded whole and on to the API, which wants its key.
        assertThat(readSome(withinTheLimits)).startsWith("HTTP/1.1 401 ");

        Socket lineTooLong = clients.connect(port);
        send(lineTooLong, "GET /health/live?" + "x".repeat(HttpLimits.DEFAULT_MAX_INITIAL_LINE_LENGTH)
                + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        assertThat(readAll(lineTooLong)).startsWith("HTTP/1.1 414 ").contains("\"code\":\"uri_too_long\"");
        String scrape = metrics.scrape();
        assertThat(closed(scrape, "uri_too_long")).isEqualTo(1);
        assertThat(closed(scrape, "headers_too_large")).isZero();
    }

    /**
     * What the decoder gave up on is counted in the port's HTTP closes, by reason, and only there: the API metric
     * has no route for it.
     */
    @Test
    void requestsTheDecoderGaveUpOnAreCountedOnceAsClosesOfTheInternalPort() throws Exception {
        Socket malformed = clients.connect(port);
        send(malformed, "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: nope\r\n\r\n");
        assertThat(readAll(malformed)).startsWith("HTTP/1.1 400 ").contains("\"code\":\"malformed\"");
        Socket headers = clients.connect(port);
        send(headers, "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: "
                + "x".repeat(HttpLimits.DEFAULT_MAX_HEADER_SIZE + 1000) + "\r\n\r\n");
        assertThat(readAll(headers)).startsWith("HTTP/1.1 431 ");

        String scrape = metrics.scrape();
        assertThat(closed(scrape, "malformed")).isEqualTo(1);
        assertThat(closed(scrape, "headers_too_large")).isEqualTo(1);
        assertThat(closed(scrape, "uri_too_long")).isZero();
        assertThat(scrape).doesNotContain("status=\"431\"").doesNotContain("status=\"400\"");
    }

    /**
     * The decoder gives up on headers over its limit while the client may still be sending: closed at once, the
     * client's bytes arriving after it get a reset, which can destroy the 431 before the client reads it. So the
     * connection lingers after the answer (its output shut, what still comes read and dropped): the client can go on
     * sending after reading the answer to its end without being reset.
     */
    @Test
    void aClientStillSendingAfterItsHeadersWereRefusedIsNotReset() throws Exception {
        Socket socket = clients.connect(port);
        send(socket, "POST /api/v1/data HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer key\r\nX-Big: "
                + "x".repeat(HttpLimits.DEFAULT_MAX_HEADER_SIZE + 1000));

        assertThat(readAll(socket)).startsWith("HTTP/1.1 431 ").containsIgnoringCase("connection: close")
                .contains("{\"error\":{\"code\":\"headers_too_large\"");
        java.io.OutputStream stillSending = socket.getOutputStream();
        org.awaitility.Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(1)).until(() -> {
            try {
                stillSending.write("x".repeat(1000).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                stillSending.flush();
                return true;
            } catch (IOException reset) {
                return false;
            }
        });
    }

    @Test
    void aBodyTooLargeAnnouncedWithExpect100ContinueGets413InJson() throws Exception {
        Socket socket = clients.connect(port);
        send(socket, "POST /api/v1/data HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer key\r\n"
                + "Content-Type: application/json\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n");

        assertThat(readSome(socket)).startsWith("HTTP/1.1 413 ").containsIgnoringCase("content-type: application/json")
                .contains("{\"error\":{\"code\":\"payload_too_large\"");
    }

    @Test
    void anUnsupportedExpectationGets417InJsonAndTheConnectionIsClosed() throws Exception {
        Socket socket = clients.connect(port);
        send(socket, "POST /api/v1/data HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer key\r\n"
                + "Content-Type: application/json\r\nContent-Length: 2\r\nExpect: something-else\r\n\r\n");

        assertThat(readAll(socket)).startsWith("HTTP/1.1 417 ").containsIgnoringCase("connection: close")
                .contains("{\"error\":{\"code\":\"expectation_failed\"");
    }

    /** REQUEST_TIMEOUT and IDLE_CONNECTION_TIMEOUT hold on the internal port too, which serves the liveness probe. */
    @Test
    void silentSlowAndIdleConnectionsAreClosedByTheRequestAndIdleDeadlines() throws Exception {
        api.close();
        start(SHORT_DEADLINES);
        java.util.Map<String, java.util.concurrent.CompletableFuture<String>> connections = new java.util.LinkedHashMap<>();
        connections.put("accepted, nothing sent", clients.watch(clients.connect(port)));
        Socket slow = clients.connect(port);
        send(slow, "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        connections.put("headers never finished", clients.watch(slow));
        Socket idle = clients.connect(port);
        send(idle, "GET /api/v1/nothing HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        assertThat(readSome(idle)).startsWith("HTTP/1.1 401").doesNotContainIgnoringCase("connection: close");
        connections.put("idle keep-alive", clients.watch(idle));

        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> assertThat(connections)
                .allSatisfy((kind, ended) -> assertThat(ended).as(kind + ": still open").isDone()));
        assertThat(connections).allSatisfy((kind, ended) -> assertThat(ended.join()).as(kind + ": read timed out").isNotNull());
        String scrape = metrics.scrape();
        assertThat(closed(scrape, "request_timeout")).as("silent and slow").isEqualTo(2);
        assertThat(closed(scrape, "idle_timeout")).isEqualTo(1);
    }

    /** The aggregator's and the path check's refusals are counted with the API's own answers, by route. */
    @Test
    void answersGivenBeforeTheApiHandlerAreCountedInTheApiMetric() throws Exception {
        Socket badEscape = clients.connect(port);
        send(badEscape, "POST /api/v1/notifications/%zz HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer key\r\n"
                + "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
        assertThat(readSome(badEscape)).startsWith("HTTP/1.1 400 ");
        Socket tooLarge = clients.connect(port);
        send(tooLarge, "POST /api/v1/data HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer key\r\n"
                + "Content-Type: application/json\r\nContent-Length: 5000\r\n\r\n");
        assertThat(readSome(tooLarge)).startsWith("HTTP/1.1 413 ");
        Socket expectation = clients.connect(port);
        send(expectation, "POST /api/v1/emit HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer key\r\n"
                + "Content-Type: application/json\r\nContent-Length: 2\r\nExpect: something-else\r\n\r\n");
        assertThat(readAll(expectation)).startsWith("HTTP/1.1 417 ");

        String scrape = metrics.scrape();
        assertThat(count(scrape, "notifications", 400)).isEqualTo(1);
        assertThat(count(scrape, "data", 413)).isEqualTo(1);
        assertThat(count(scrape, "emit", 417)).isEqualTo(1);
    }

    /** The API request metric's count for a route and status in a Prometheus scrape (0 when it has no series). */
    private static int count(String scrape, String route, int status) {
        return scrape.lines().filter(line -> line.contains("_count{") && line.contains("route=\"" + route + "\"")
                        && line.contains("status=\"" + status + "\""))
                .mapToInt(line -> (int) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    /** The internal port's count of HTTP connections closed for {@code reason} in a Prometheus scrape. */
    private static int closed(String scrape, String reason) {
        String series = "socketio_http_closed_total{port=\"internal\",reason=\"" + reason + "\"} ";
        return scrape.lines().filter(line -> line.startsWith(series))
                .mapToInt(line -> (int) Double.parseDouble(line.substring(series.length()))).findFirst()
                .orElseThrow(() -> new AssertionError("no series " + series));
    }

    /** Everything until the server closes the connection (reads time out after 2 s, failing the test). */
    static String readAll(Socket socket) throws IOException {
        return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
}
