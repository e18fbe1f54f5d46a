package io.realtime.gateway.admission;

import io.realtime.cluster.SocketDetails;
import io.realtime.gateway.testing.ProductNode;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Outside in: the address per-address admission and {@code fetchSockets} see is the client's, as the PROXY protocol
 * (v1 and v2; haproxy's send-proxy-v2 as deploy/local uses it) or a trusted proxy's X-Forwarded-For names it; a
 * forged header from anyone else is ignored.
 */
class ClientAddressTest {

    @Test
    void proxyProtocolV1AndV2GiveTheRealAddressToPerAddressLimitsAndFetchSockets() throws Exception {
        try (ProductNode node = ProductNode.start(Map.of("PROXY_PROTOCOL", "true", "PROXY_PROTOCOL_FROM", "127.0.0.1/32",
                "MAX_CONNECTIONS_PER_IP", "1"));
             Raw first = Raw.open(node, v1("203.0.113.7"), "");
             Raw other = Raw.open(node, v2(new byte[] {(byte) 203, 0, 113, 8}), "");
             Raw same = Raw.open(node, v2(new byte[] {(byte) 203, 0, 113, 7}), "")) {
            assertThat(first.status).startsWith("HTTP/1.1 101");
            assertThat(other.status).startsWith("HTTP/1.1 101");
            assertThat(same.status).as("a second connection of 203.0.113.7").startsWith("HTTP/1.1 429");
            first.connectMainNamespace();
            other.connectMainNamespace();

            assertThat(addresses(node)).containsExactlyInAnyOrder("203.0.113.7", "203.0.113.8");
        }
    }

    @Test
    void aConnectionWithoutTheHeaderIsClosedWhenTheProtocolIsOn() throws Exception {
        try (ProductNode node = ProductNode.start(Map.of("PROXY_PROTOCOL", "true", "PROXY_PROTOCOL_FROM", "127.0.0.1/32"));
             Raw bare = Raw.open(node, new byte[0], "")) {
            assertThat(bare.status).isEmpty();
        }
    }

    /**
     * A client that reaches the node's port itself, not through a balancer of PROXY_PROTOCOL_FROM, cannot name its
     * address with a header of its own: its connection is closed before anything is read, and counted.
     */
    @Test
    void aHeaderFromAPeerOffTheBalancersListIsNotBelievedAndItsConnectionIsClosed() throws Exception {
        try (ProductNode node = ProductNode.start(Map.of("PROXY_PROTOCOL", "true", "PROXY_PROTOCOL_FROM", "10.0.0.0/8",
                "TRUSTED_PROXIES", "198.51.100.0/24"))) {
            try (Raw forgedV1 = Raw.open(node, v1("198.51.100.77"), "X-Forwarded-For: 203.0.113.9\r\n");
                 Raw forgedV2 = Raw.open(node, v2(new byte[] {(byte) 198, 51, 100, 78}), "")) {
                assertThat(forgedV1.status).as("hung up on, no handshake answered").isEmpty();
                assertThat(forgedV2.status).as("hung up on, no handshake answered").isEmpty();
            }
            assertThat(addresses(node)).isEmpty();
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(node.node().metrics().scrape())
                    .contains("socketio_connections_refused_total{reason=\"untrusted_peer\"} 2.0"));
        }
    }

    @Test
    void xForwardedForIsBelievedFromATrustedProxyOnly() throws Exception {
        try (ProductNode trusting = ProductNode.start(Map.of("TRUSTED_PROXIES", "127.0.0.0/8"));
             Raw forwarded = Raw.open(trusting, new byte[0], "X-Forwarded-For: 198.51.100.23\r\n")) {
            forwarded.connectMainNamespace();
            assertThat(addresses(trusting)).containsExactly("198.51.100.23");
        }
        try (ProductNode untrusting = ProductNode.start(Map.of("TRUSTED_PROXIES", "10.0.0.0/8"));
             Raw forged = Raw.open(untrusting, new byte[0], "X-Forwarded-For: 198.51.100.23\r\nForwarded: for=198.51.100.24\r\n")) {
            forged.connectMainNamespace();
            assertThat(addresses(untrusting)).containsExactly("127.0.0.1");
        }
    }

    @Test
    void throughHaproxyWithSendProxyV2TheNodeSeesTheClientNotTheBalancer() throws Exception {
        Path haproxy = Stream.of("/usr/sbin/haproxy", "/usr/bin/haproxy", "/usr/local/sbin/haproxy")
                .map(Path::of).filter(Files::isExecutable).findFirst()
                .orElseThrow(() -> new AssertionError("haproxy is not installed (.ci/run installs it)"));
        // The balancer connects from 127.0.0.2, the only peer allowed to send the header.
        try (ProductNode node = ProductNode.start(Map.of("PROXY_PROTOCOL", "true", "PROXY_PROTOCOL_FROM", "127.0.0.2/32",
                "MAX_CONNECTIONS_PER_IP", "1"))) {
            int lbPort;
            try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                lbPort = free.getLocalPort();
            }
            Path config = Files.createTempFile("haproxy", ".cfg");
            // The balancer connects from 127.0.0.2, so the node's TCP peer is never the client's address.
            Files.writeString(config, String.join("\n", "defaults", "  mode http", "  timeout connect 2s",
                    "  timeout client 30s", "  timeout server 30s", "  timeout tunnel 1h", "frontend socketio",
                    "  bind 127.0.0.1:" + lbPort, "  default_backend gateways", "backend gateways",
                    "  server node 127.0.0.1:" + node.node().socketIoAddress().getPort() + " send-proxy-v2 source 127.0.0.2", ""));
            Process balancer = new ProcessBuilder(haproxy.toString(), "-db", "-f", config.toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try {
                await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
                    try (Socket probe = new Socket("127.0.0.1", lbPort)) {
                        return true;
                    }
                });
                try (Raw one = Raw.open(lbPort, "127.0.0.1", new byte[0], "");
                     Raw two = Raw.open(lbPort, "127.0.0.3", new byte[0], "");
                     Raw again = Raw.open(lbPort, "127.0.0.1", new byte[0], "")) {
                    assertThat(one.status).startsWith("HTTP/1.1 101");
                    assertThat(two.status).startsWith("HTTP/1.1 101");
                    assertThat(again.status).as("127.0.0.1 is at MAX_CONNECTIONS_PER_IP").startsWith("HTTP/1.1 429");
                    one.connectMainNamespace();
                    two.connectMainNamespace();
                    assertThat(addresses(node)).containsExactlyInAnyOrder("127.0.0.1", "127.0.0.3");
                }
            } finally {
                balancer.destroy();
                balancer.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
                Files.deleteIfExists(config);
            }
        }
    }

    private static List<String> addresses(ProductNode node) {
        List<SocketDetails> sockets = node.node().cluster().of("/").fetchSockets().toCompletableFuture().join();
        return sockets.stream().map(s -> String.valueOf(s.handshake().get("address"))).toList();
    }

    private static byte[] v1(String source) {
        return ("PROXY TCP4 " + source + " 127.0.0.1 51234 3000\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] v2(byte[] source) {
        ByteBuffer header = ByteBuffer.allocate(16 + 12);
        header.put(new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A});
        header.put((byte) 0x21).put((byte) 0x11).putShort((short) 12);
        header.put(source).put(new byte[] {127, 0, 0, 1}).putShort((short) 51234).putShort((short) 3000);
        return header.array();
    }

    /** A raw WebSocket handshake after an optional PROXY header; {@code status} is "" when the node hung up. */
    private static final class Raw implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        final String status;

        private Raw(Socket socket, String status) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.status = status;
        }

        static Raw open(ProductNode node, byte[] proxyHeader, String extraHeaders) throws IOException {
            return open(node.node().socketIoAddress().getPort(), "127.0.0.1", proxyHeader, extraHeaders);
        }

        static Raw open(int port, String from, byte[] proxyHeader, String extraHeaders) throws IOException {
            Socket socket = new Socket();
            socket.bind(new java.net.InetSocketAddress(from, 0));
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(5000);
            ByteArrayOutputStream request = new ByteArrayOutputStream();
            request.write(proxyHeader);
            request.write(("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                    + extraHeaders + "\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().write(request.toByteArray());
            StringBuilder head = new StringBuilder();
            InputStream in = socket.getInputStream();
            try {
                while (!head.toString().endsWith("\r\n\r\n")) {
                    int c = in.read();
                    if (c < 0) {
                        break;
                    }
                    head.append((char) c);
                }
            } catch (IOException reset) {
                // the node hung up
            }
            return new Raw(socket, head.toString());
        }

        /** Reads the Engine.IO open packet, joins {@code /} and waits for the answer. */
        void connectMainNamespace() throws IOException {
            assertThat(readText()).startsWith("0{");
            byte[] payload = "40".getBytes(StandardCharsets.US_ASCII);
            socket.getOutputStream().write(new byte[] {(byte) 0x81, (byte) (0x80 | payload.length), 0, 0, 0, 0});
            socket.getOutputStream().write(payload); // a zero mask leaves the payload as it is
            await().atMost(Duration.ofSeconds(5)).until(() -> readText().startsWith("40{"));
        }

        private String readText() throws IOException {
            in.read(); // FIN + opcode
            int length = in.read() & 0x7f;
            if (length == 126) {
                length = (in.read() << 8) | in.read();
            }
            return new String(in.readNBytes(length), StandardCharsets.UTF_8);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
