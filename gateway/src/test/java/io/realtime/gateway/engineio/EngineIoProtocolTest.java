package io.realtime.gateway.engineio;

import io.realtime.gateway.testing.RawPolling;
import io.realtime.gateway.testing.RawWebSocket;
import io.realtime.gateway.testing.TestNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Engine.IO v4 behaviour at the byte level, as Node's engine.io shows it. */
class EngineIoProtocolTest {

    /** Slow heartbeat, so hand-made sessions live while a test looks at them. */
    private static TestNode node;
    /** The conformance server's heartbeat: ping every 300 ms, 200 ms to answer. */
    private static TestNode fastHeartbeat;

    @BeforeAll
    static void start() {
        node = TestNode.start("--maxHttpBufferSize=10000", "--pingInterval=25000", "--pingTimeout=20000");
        fastHeartbeat = TestNode.start();
    }

    @AfterAll
    static void stop() {
        node.close();
        fastHeartbeat.close();
    }

    @Test
    void pollingHandshakeAdvertisesUpgradeTimingsAndMaxPayload() {
        String open = new RawPolling(node, "4").open();

        assertThat(open).startsWith("0{\"sid\":\"")
                .contains("\"upgrades\":[\"websocket\"]", "\"pingInterval\":25000", "\"pingTimeout\":20000",
                        "\"maxPayload\":10000");
    }

    @Test
    void websocketHandshakeOffersNoUpgrade() {
        try (RawWebSocket ws = RawWebSocket.connect(node.webSocketUri("/socket.io/?EIO=4&transport=websocket"))) {
            assertThat(ws.nextText()).startsWith("0{").contains("\"upgrades\":[]", "\"maxPayload\":10000");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "EIO=5&", "EIO=abc&", "EIO=3&"})
    void missingOrUnsupportedProtocolVersionIsRefused(String eio) {
        HttpResponse<String> response = new RawPolling(node, "4").send("GET", "/socket.io/?" + eio + "transport=polling", null);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).isEqualTo("{\"code\":5,\"message\":\"Unsupported protocol version\"}");
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    }

    @Test
    void unknownTransportIsRefused() {
        HttpResponse<String> response = new RawPolling(node, "4").send("GET", "/socket.io/?EIO=4&transport=flash", null);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).isEqualTo("{\"code\":0,\"message\":\"Transport unknown\"}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST", "PUT", "DELETE"})
    void handshakeWithAnotherMethodThanGetIsRefused(String method) {
        HttpResponse<String> response = new RawPolling(node, "4").send(method, "/socket.io/?EIO=4&transport=polling", "");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).isEqualTo("{\"code\":2,\"message\":\"Bad handshake method\"}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET", "POST"})
    void unknownSessionIdIsRefused(String method) {
        HttpResponse<String> response = new RawPolling(node, "4")
                .send(method, "/socket.io/?EIO=4&transport=polling&sid=not-a-session", method.equals("POST") ? "40" : null);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).isEqualTo("{\"code\":1,\"message\":\"Session ID unknown\"}");
    }

    @Test
    void otherMethodOnASessionIsRefused() {
        RawPolling polling = new RawPolling(node, "4");
        polling.open();

        HttpResponse<String> response = polling.send("PUT", "/socket.io/?EIO=4&transport=polling&sid=" + polling.sid(), "40");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).isEqualTo("{\"code\":3,\"message\":\"Bad request\"}");
    }

    @Test
    void pollingResponsesKeepTheConnectionAlive() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", node.port())) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
            List<String> statusLines = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                out.write(("GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                statusLines.add(readResponse(in));
            }
            assertThat(statusLines).containsExactly("HTTP/1.1 200 OK", "HTTP/1.1 200 OK");
        }
    }

    private static String readResponse(BufferedReader in) throws Exception {
        String status = in.readLine();
        int length = 0;
        for (String line = in.readLine(); !line.isEmpty(); line = in.readLine()) {
            if (line.toLowerCase().startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        in.skip(length);
        return status;
    }

    @Test
    void pingTimeoutIsCountedFromThePingEvenWhileTheClientSendsData() {
        ScheduledExecutorService chatter = Executors.newSingleThreadScheduledExecutor();
        try (RawWebSocket ws = RawWebSocket.connect(fastHeartbeat.webSocketUri("/socket.io/?EIO=4&transport=websocket"))) {
            ws.nextText();
            ws.sendText("40");
            assertThat(ws.nextText()).startsWith("40{\"sid\"");
            // Never answer pings, but keep the connection busy: activity must not postpone the timeout.
            chatter.scheduleAtFixedRate(() -> ws.sendText("42[\"noise\"]"), 0, 50, TimeUnit.MILLISECONDS);
            String message;
            do {
                message = ws.nextText();
            } while (!message.equals("2"));
            long pingAt = System.nanoTime();

            await().atMost(Duration.ofSeconds(3)).until(() -> ws.closed().isDone());

            long closedAfterPing = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - pingAt);
            // Not before the 200-ms timeout (less the read's own delay); activity postponing it would never close.
            assertThat(closedAfterPing).isBetween(100L, 2000L);
        } finally {
            chatter.shutdownNow();
        }
    }

    @Test
    void answeredPingsKeepTheSessionOpen() {
        try (RawWebSocket ws = RawWebSocket.connect(fastHeartbeat.webSocketUri("/socket.io/?EIO=4&transport=websocket"))) {
            ws.nextText();
            ws.sendText("40");
            assertThat(ws.nextText()).startsWith("40{\"sid\"");
            assertThat(ws.nextText()).isEqualTo("42[\"auth\",{}]");
            for (int i = 0; i < 4; i++) {
                assertThat(ws.nextText()).isEqualTo("2");
                ws.sendText("3");
            }
            assertThat(ws.closed()).isNotDone();
        }
    }

    @Test
    void closePacketOverWebSocketClosesIt() {
        try (RawWebSocket ws = RawWebSocket.connect(node.webSocketUri("/socket.io/?EIO=4&transport=websocket"))) {
            ws.nextText();
            ws.sendText("1");

            await().atMost(Duration.ofSeconds(2)).until(() -> ws.closed().isDone());
        }
    }

    @Test
    void closePacketReleasesThePendingPollWithNoop() {
        RawPolling polling = new RawPolling(node, "4");
        polling.open();
        CompletableFuture<HttpResponse<String>> pending = polling.pollAsync();
        awaitPendingPoll(polling);

        assertThat(polling.post("1").body()).isEqualTo("ok");

        HttpResponse<String> released = pending.orTimeout(2, TimeUnit.SECONDS).join();
        assertThat(released.body()).isEqualTo("6");
        assertThat(polling.poll().statusCode()).isEqualTo(400);
    }

    @Test
    void upgradeReleasesThePendingPollAndLaterPollsAreRefused() {
        RawPolling polling = new RawPolling(node, "4");
        polling.open();
        polling.post("40");
        assertThat(polling.poll().body()).startsWith("40{\"sid\"");
        CompletableFuture<HttpResponse<String>> pending = polling.pollAsync();
        awaitPendingPoll(polling);

        try (RawWebSocket ws = RawWebSocket.connect(node.webSocketUri("/socket.io/?EIO=4&transport=websocket&sid=" + polling.sid()))) {
            ws.sendText("2probe");
            assertThat(ws.nextText()).isEqualTo("3probe");
            assertThat(pending.orTimeout(2, TimeUnit.SECONDS).join().body()).isEqualTo("6");
            ws.sendText("5");
            ws.sendText("42[\"message\",\"after upgrade\"]");
            assertThat(ws.nextTextSkippingPings()).isEqualTo("42[\"message-back\",\"after upgrade\"]");

            HttpResponse<String> late = polling.poll();
            assertThat(late.statusCode()).isEqualTo(400);
            assertThat(late.body()).isEqualTo("{\"code\":3,\"message\":\"Bad request\"}");
        }
    }

    private static void awaitPendingPoll(RawPolling polling) {
        await().atMost(Duration.ofSeconds(2)).until(() ->
                node.gateway().session(polling.sid()).map(EngineSession::hasPendingPoll).orElse(false));
    }

    /** As Node's engine.io (transports/polling.ts, onDataRequest): a 413, and the session goes on. */
    @Test
    void oversizePostIsRefusedWith413AndEndsNoSession() {
        RawPolling bystander = new RawPolling(node, "4");
        bystander.open();
        RawPolling polling = new RawPolling(node, "4");
        polling.open();

        HttpResponse<String> response = polling.post("4" + "x".repeat(20_000));

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(polling.post("40").body()).isEqualTo("ok");
        assertThat(polling.poll().body()).startsWith("40{\"sid\"");
        assertThat(bystander.post("40").body()).isEqualTo("ok");
        assertThat(bystander.poll().body()).startsWith("40{\"sid\"");
    }

    @Test
    void requestsOutsideThePathGetAJson404() {
        HttpResponse<String> response = new RawPolling(node, "4").send("GET", "/elsewhere", null);

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).contains("\"message\":\"Not found\"");
    }
}
