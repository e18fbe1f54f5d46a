package io.realtime.gateway.limits;

import io.realtime.cluster.testing.Commands;
import io.realtime.gateway.testing.ProductNode;
import io.realtime.gateway.testing.RawWebSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Limits protect the node and the well-behaved: each one refuses clearly, is counted, and spares the others. */
class LimitsTest {

    private final HttpClient http = HttpClient.newHttpClient();

    private String metrics(ProductNode node) throws Exception {
        return http.send(HttpRequest.newBuilder(node.apiUri("/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private HttpResponse<String> handshake(ProductNode node) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.node().socketIoAddress().getPort()
                + "/socket.io/?EIO=4&transport=polling")).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void namespaceConnectsBeyondAClientsOwnTakeFromTheEventRate() throws Exception {
        try (ProductNode node = ProductNode.start(Map.of(), "--eventRate=1", "--eventBurst=2", "--abuseDisconnectAfter=2",
                "--pingInterval=25000");
             RawWebSocket cycler = RawWebSocket.connect(node.webSocketUri("/socket.io/?EIO=4&transport=websocket"))) {
            assertThat(cycler.nextText()).startsWith("0{");
            String refused = null;
            // Connect and leave /chat over and over: each CONNECT authenticates and makes a socket.
            for (int i = 0; i < 20 && refused == null; i++) {
                cycler.sendText("40/chat,");
                String answer = cycler.nextText();
                if (answer.startsWith("44/chat,")) {
                    refused = answer;
                } else {
                    assertThat(answer).startsWith("40/chat,{\"sid\"");
                    cycler.sendText("41/chat,");
                }
            }
            assertThat(refused).as("a CONNECT refused for the rate").isNotNull().contains("rate_limited");
            for (int i = 0; i < 10 && !cycler.closed().isDone(); i++) {
                try {
                    cycler.sendText("40/chat,");
                } catch (CompletionException e) {
                    break;
                }
            }
            await().atMost(Duration.ofSeconds(3)).until(() -> cycler.closed().isDone());
            assertThat(metrics(node)).contains("socketio_connections_closed_behaviour_total{reason=\"abuse\"} 1.0");
        }
    }

    @Test
    void eventsOverTheRateAreRefusedAndPersistentAbuseDisconnects() throws Exception {
        try (ProductNode node = ProductNode.start(Map.of(), "--eventRate=1", "--eventBurst=5", "--abuseDisconnectAfter=10",
                "--pingInterval=25000");
             RawWebSocket bystander = node.connect("/", null);
             RawWebSocket abuser = node.connect("/", null)) {
            for (int i = 1; i <= 5; i++) {
                abuser.sendText("42" + i + "[\"events\"," + i + "]");
                assertThat(abuser.nextText()).isEqualTo("43" + i + "[" + i + "]");
            }
            abuser.sendText("426[\"events\",6]");
            assertThat(abuser.nextText()).startsWith("436[{\"error\":{\"code\":\"rate_limited\"");
            // The node closes the abuser after its tenth refusal, maybe before the loop is done: sending stops there.
            sendUntilClosed(abuser, 20, i -> "42[\"events\",0]");
            assertClosedAsAbuseWhileOthersAreServed(node, abuser, bystander);
        }
    }

    /** Sends up to {@code count} packets, stopping once the node has closed the connection. */
    private static void sendUntilClosed(RawWebSocket ws, int count, java.util.function.IntFunction<String> packet) {
        for (int i = 0; i < count && !ws.closed().isDone(); i++) {
            try {
                ws.sendText(packet.apply(i));
            } catch (CompletionException e) {
                assertThat(e).hasRootCauseInstanceOf(IOException.class);
                break;
            }
        }
    }

    private void assertClosedAsAbuseWhileOthersAreServed(ProductNode node, RawWebSocket abuser, RawWebSocket bystander) throws Exception {
        await().atMost(Duration.ofSeconds(3)).until(() -> abuser.closed().isDone());
        bystander.sendText("421[\"events\",\"fine\"]");
        assertThat(bystander.nextText()).isEqualTo("431[\"fine\"]");
        assertThat(metrics(node)).contains("socketio_connections_closed_behaviour_total{reason=\"abuse\"} 1.0")
                .containsPattern("socketio_events_refused_total\\{nsp=\"/\",reason=\"rate_limited\"} (1[0-9]|[2-9][0-9])\\.0");
    }

    @Test
    void acksThatAnswerNoRequestTakeFromTheEventRate() throws Exception {
        try (ProductNode node = ProductNode.start(Map.of(), "--eventRate=1", "--eventBurst=5", "--abuseDisconnectAfter=10",
                "--pingInterval=25000");
             RawWebSocket bystander = node.connect("/", null);
             RawWebSocket abuser = node.connect("/", null)) {
            // The node asked nothing of this client: each ack is its own traffic. Five fit the burst, ten more over the
            // rate close it.
            sendUntilClosed(abuser, 40, i -> "43" + i + "[\"unasked\"]");
            assertClosedAsAbuseWhileOthersAreServed(node, abuser, bystander);
        }
    }

    /**
     * A client flooding at four times its rate gets an event through whenever the bucket has refilled one; those do not
     * excuse the refusals around them, and it is closed all the same.
     */
    @Test
    void aFlooderThatRefillsLetThroughNowAndThenIsStillDisconnected() throws Exception {
        try (ProductNode node = ProductNode.start(Map.of(), "--eventRate=10", "--eventBurst=10", "--abuseDisconnectAfter=5",
                "--pingInterval=25000");
             RawWebSocket bystander = node.connect("/", null);
             RawWebSocket flooder = node.connect("/", null)) {
            // 40 events a second for 4 s at most: the burst goes in the first quarter second, then one in four is handled.
            long start = System.nanoTime();
            for (int i = 0; i < 160 && !flooder.closed().isDone(); i++) {
                paceUntil(start + i * TimeUnit.MILLISECONDS.toNanos(25));
                try {
                    flooder.sendText("42[\"events\"," + i + "]");
                } catch (CompletionException e) {
                    assertThat(e).hasRootCauseInstanceOf(IOException.class);
                    break;
                }
            }
            await().atMost(Duration.ofSeconds(3)).until(() -> flooder.closed().isDone());
            bystander.sendText("421[\"events\",\"fine\"]");
            assertThat(bystander.nextText()).isEqualTo("431[\"fine\"]");
            assertThat(metrics(node)).contains("socketio_connections_closed_behaviour_total{reason=\"abuse\"} 1.0");
        }
    }

    /**
     * A client that goes over its burst now and then and stops when refused is not taken for a flooder: its refusals
     * are forgotten after a second without any, however many it has had in all.
     */
    @Test
    void aClientThatExceedsItsBurstNowAndThenStaysConnected() throws Exception {
        try (ProductNode node = ProductNode.start(Map.of(), "--eventRate=10", "--eventBurst=10", "--abuseDisconnectAfter=5",
                "--pingInterval=25000");
             RawWebSocket client = node.connect("/", null)) {
            int ack = 0;
            for (int round = 0; round < 3; round++) {
                // One refusal short of a close, then 1.5 s at less than half the rate, every event handled.
                ack = sendUntilRefused(client, 4, ack);
                long start = System.nanoTime();
                for (int i = 1; i <= 6; i++) {
                    paceUntil(start + i * TimeUnit.MILLISECONDS.toNanos(250));
                    ack++;
                    client.sendText("42" + ack + "[\"events\"," + ack + "]");
                    assertThat(client.nextText()).isEqualTo("43" + ack + "[" + ack + "]");
                }
            }
            assertThat(client.closed()).isNotDone();
            assertThat(metrics(node))
                    .containsPattern("socketio_events_refused_total\\{nsp=\"/\",reason=\"rate_limited\"} 12\\.0")
                    .doesNotContainPattern("socketio_connections_closed_behaviour_total\\{reason=\"abuse\"} [1-9]");
        }
    }

    /** Sends events with acks, one answer at a time, until {@code refusals} of them were refused for the rate; the last ack id. */
    private static int sendUntilRefused(RawWebSocket ws, int refusals, int lastAck) {
        int ack = lastAck;
        int refused = 0;
        for (int i = 0; i < 40 && refused < refusals; i++) {
            ack++;
            ws.sendText("42" + ack + "[\"events\"," + ack + "]");
            String answer = ws.nextText();
            if (answer.startsWith("43" + ack + "[{\"error\":{\"code\":\"rate_limited\"")) {
                refused++;
            } else {
                assertThat(answer).isEqualTo("43" + ack + "[" + ack + "]");
            }
        }
        assertThat(refused).isEqualTo(refusals);
        return ack;
    }

    /** Paces a sender: returns at {@code deadline} ({@link System#nanoTime()}), at once if it has passed. */
    private static void paceUntil(long deadline) {
        for (long left = deadline - System.nanoTime(); left > 0; left = deadline - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }

    @Test
    void perAddressConnectionsAndHandshakeRateAreBounded() throws Exception {
        try (ProductNode node = ProductNode.start(Map.of(), "--maxConnectionsPerIp=2", "--pingInterval=25000")) {
            assertThat(handshake(node).statusCode()).isEqualTo(200);
            assertThat(handshake(node).statusCode()).isEqualTo(200);
            HttpResponse<String> third = handshake(node);
            assertThat(third.statusCode()).isEqualTo(429);
            assertThat(third.body()).contains("too_many_requests");
            assertThat(metrics(node)).contains("socketio_connections_refused_total{reason=\"address_limit\"} 1.0");
        }
        try (ProductNode node = ProductNode.start(Map.of(), "--handshakesPerIp=2", "--pingInterval=25000")) {
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                statuses.add(handshake(node).statusCode());
            }
            assertThat(statuses).contains(200, 429);
        }
    }

    @Test
    void aClientThatStopsReadingIsDisconnectedAndOthersGetEverything() throws Exception {
        try (ProductNode node = ProductNode.start(Map.of(), "--outboundLimit=262144", "--pingInterval=25000");
             RawWebSocket reader = node.connect("/", null);
             Socket stalled = new Socket()) {
            stalled.setReceiveBufferSize(4096);
            stalled.connect(node.node().socketIoAddress().getAddress().isAnyLocalAddress()
                    ? new java.net.InetSocketAddress("127.0.0.1", node.node().socketIoAddress().getPort())
                    : node.node().socketIoAddress());
            openWebSocketAndStopReading(stalled);
            await().atMost(Duration.ofSeconds(3)).until(() -> node.node().server().getNamespace("").getAllClients().size() == 2);

            String payload = "x".repeat(32 * 1024);
            int messages = 400;
            for (int i = 0; i < messages; i++) {
                node.node().cluster().of("/").emit("bulk", i, payload);
            }
            for (int i = 0; i < messages; i++) {
                assertThat(reader.nextText()).startsWith("42[\"bulk\"," + i + ",");
            }
            // Traffic goes on; the stalled client's backlog stays over the limit and it is dropped, the reader is not.
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
                node.node().cluster().of("/").emit("tick");
                assertThat(metrics(node)).contains("socketio_connections_closed_behaviour_total{reason=\"slow_consumer\"} 1.0");
            });
            assertThat(node.node().server().getNamespace("").getAllClients()).hasSize(1);
            reader.sendText("421[\"events\",\"still served\"]");
            String answer;
            do {
                answer = reader.nextText();
            } while (answer.startsWith("42[\"tick\""));
            assertThat(answer).isEqualTo("431[\"still served\"]");
        }
    }

    /** A WebSocket handshake and CONNECT by hand, then never another read. */
    private static void openWebSocketAndStopReading(Socket socket) throws Exception {
        OutputStream out = socket.getOutputStream();
        out.write(("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = socket.getInputStream();
        String headers = "";
        while (!headers.endsWith("\r\n\r\n")) {
            headers += (char) in.read();
        }
        assertThat(headers).startsWith("HTTP/1.1 101");
        byte[] connect = "40".getBytes(StandardCharsets.US_ASCII);
        byte[] mask = {1, 2, 3, 4};
        out.write(new byte[] {(byte) 0x81, (byte) (0x80 | connect.length), mask[0], mask[1], mask[2], mask[3]});
        for (int i = 0; i < connect.length; i++) {
            out.write(connect[i] ^ mask[i % 4]);
        }
        out.flush();
    }

    @Test
    void tlsFromPemFilesAndFromAPkcs12Keystore(@TempDir Path dir) throws Exception {
        Path keystore = dir.resolve("gateway.p12");
        run("keytool", "-genkeypair", "-alias", "gateway", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", "changeit", "-keypass", "changeit");
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key.toString(), "-out", cert.toString());

        try (ProductNode node = ProductNode.start(Map.of("TLS_KEYSTORE_FILE", keystore.toString(),
                "TLS_KEYSTORE_PASSWORD", "changeit"), "--pingInterval=25000")) {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(keystore)) {
                trust.load(in, "changeit".toCharArray());
            }
            assertHandshakeOverTls(node, trust);
        }
        try (ProductNode node = ProductNode.start(Map.of("TLS_CERT_FILE", cert.toString(), "TLS_KEY_FILE", key.toString()),
                "--pingInterval=25000")) {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            try (InputStream in = Files.newInputStream(cert)) {
                trust.setCertificateEntry("gateway", java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
            }
            assertHandshakeOverTls(node, trust);
        }
    }

    private static void assertHandshakeOverTls(ProductNode node, KeyStore trust) throws Exception {
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, trustManagers.getTrustManagers(), null);
        HttpClient client = HttpClient.newBuilder().sslContext(tls).build();
        int port = node.node().socketIoAddress().getPort();
        HttpResponse<String> polling = client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port
                + "/socket.io/?EIO=4&transport=polling")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(polling.body()).startsWith("0{\"sid\":");
        java.util.concurrent.BlockingQueue<String> frames = new java.util.concurrent.LinkedBlockingQueue<>();
        java.net.http.WebSocket ws = client.newWebSocketBuilder().buildAsync(URI.create("wss://127.0.0.1:" + port
                + "/socket.io/?EIO=4&transport=websocket"), new java.net.http.WebSocket.Listener() {
                    @Override
                    public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket socket, CharSequence data, boolean last) {
                        frames.add(data.toString());
                        socket.request(1);
                        return null;
                    }
                }).get(5, TimeUnit.SECONDS);
        assertThat(frames.poll(5, TimeUnit.SECONDS)).startsWith("0{\"sid\":");
        ws.abort();
        HttpResponse<String> plain = null;
        try {
            plain = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/socket.io/?EIO=4&transport=polling")).timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException expected) {
            // a plain-text request to a TLS port fails: exactly what should happen
        }
        assertThat(plain == null || plain.statusCode() != 200).isTrue();
    }

    private static void run(String... command) {
        Commands.run(Duration.ofSeconds(60), List.of(command)).requireSuccess(List.of(command));
    }
}
