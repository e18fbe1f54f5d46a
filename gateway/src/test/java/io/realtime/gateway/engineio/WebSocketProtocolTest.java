package io.realtime.gateway.engineio;

import io.realtime.gateway.testing.RawSocketClient;
import io.realtime.gateway.testing.RawSocketClient.Frame;
import io.realtime.gateway.testing.TestNode;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The WebSocket side as RFC 6455 and ws have it, from a client writing its own bytes: which handshakes are refused,
 * and the Close frame (with its reason code) that ends a connection sending what the server cannot take.
 */
class WebSocketProtocolTest {

    private static final int TEXT = 0x1;
    private static final int BINARY = 0x2;
    private static final int CONTINUATION = 0x0;
    private static final int CLOSE = 0x8;

    @Test
    void aFrameLargerThanTheLargestMessageIsAnsweredWithClose1009() throws IOException {
        try (TestNode node = TestNode.start("--maxHttpBufferSize=1000");
             RawSocketClient client = open(node)) {
            client.sendFrame(TEXT, filler('4', 1001));

            assertThat(nextFrameSkippingPackets(client)).satisfies(frame -> {
                assertThat(frame.opcode()).isEqualTo(CLOSE);
                assertThat(frame.closeCode()).isEqualTo(1009);
            });
        }
    }

    @Test
    void fragmentsAddingUpToMoreThanTheLargestMessageAreAnsweredWithClose1009() throws IOException {
        try (TestNode node = TestNode.start("--maxHttpBufferSize=1000");
             RawSocketClient client = open(node)) {
            client.sendFrame(false, TEXT, filler('4', 600));
            client.sendFrame(true, CONTINUATION, filler('a', 600));

            assertThat(nextFrameSkippingPackets(client)).satisfies(frame -> {
                assertThat(frame.opcode()).isEqualTo(CLOSE);
                assertThat(frame.closeCode()).isEqualTo(1009);
            });
        }
    }

    @Test
    void aTextMessageThatIsNotUtf8IsAnsweredWithClose1007AndNeverReachesTheApplication() throws IOException {
        try (TestNode node = TestNode.start();
             RawSocketClient client = open(node)) {
            client.sendTextFrame("40".getBytes(StandardCharsets.UTF_8));
            assertThat(nextFrameSkippingPings(client).text()).startsWith("40{");

            ByteArrayOutputStream invalid = new ByteArrayOutputStream();
            invalid.writeBytes("421[\"echo\",\"".getBytes(StandardCharsets.UTF_8));
            invalid.writeBytes(new byte[] {(byte) 0xC3, 0x28});
            invalid.writeBytes("\"]".getBytes(StandardCharsets.UTF_8));
            client.sendTextFrame(invalid.toByteArray());

            Frame answer = client.readServerFrame();
            while (answer != null && answer.opcode() == TEXT) {
                assertThat(answer.text()).as("the event is not run").doesNotStartWith("431");
                answer = client.readServerFrame();
            }
            assertThat(answer).as("a Close before the end of the stream").isNotNull();
            assertThat(answer.opcode()).isEqualTo(CLOSE);
            assertThat(answer.closeCode()).isEqualTo(1007);
        }
    }

    @Test
    void aWebSocketHandshakeWithoutKeyOrVersionIsRefusedBeforeASessionExists() throws IOException {
        try (TestNode node = TestNode.start()) {
            String withoutKey = "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n";
            String withoutVersion = "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: http://127.0.0.1\r\n\r\n";
            String withoutConnectionUpgrade = "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Upgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
            for (String request : new String[] {withoutKey, withoutVersion, withoutConnectionUpgrade}) {
                try (RawSocketClient client = RawSocketClient.connect(node.port())) {
                    assertThat(client.request(request)).as(request).startsWith("HTTP/1.1 400");
                }
                assertThat(node.gateway().sessionCount()).as("sessions after " + request).isZero();
            }
        }
    }

    @Test
    void aBinaryFrameOnAnUpgradeProbeAbandonsTheUpgradeAtOnce() throws IOException {
        // A heartbeat longer than the test: the polling session, never polled again, must not time out meanwhile.
        try (TestNode node = TestNode.start("--pingInterval=25000", "--pingTimeout=20000")) {
            String sid;
            try (RawSocketClient polling = RawSocketClient.connect(node.port())) {
                String answer = polling.httpRequest("GET", "/socket.io/?EIO=4&transport=polling", null);
                Matcher found = Pattern.compile("\"sid\":\"([^\"]+)\"").matcher(answer);
                assertThat(found.find()).as(answer).isTrue();
                sid = found.group(1);
            }
            try (RawSocketClient probe = RawSocketClient.connect(node.port())) {
                assertThat(probe.openWebSocket("EIO=4&transport=websocket&sid=" + sid)).isTrue();
                probe.sendFrame(BINARY, new byte[] {1, 2, 3});

                // Closed now rather than when the upgrade times out (the read gives up after 2 s).
                Frame after = probe.readServerFrame();
                assertThat(after == null || after.opcode() == CLOSE).as("the probe's connection ends").isTrue();
            }
            assertThat(node.gateway().sessionCount()).as("polling goes on").isEqualTo(1);
        }
    }

    private static RawSocketClient open(TestNode node) throws IOException {
        RawSocketClient client = RawSocketClient.connect(node.port());
        assertThat(client.openWebSocket("EIO=4&transport=websocket")).isTrue();
        assertThat(client.readServerFrame().text()).startsWith("0{");
        return client;
    }

    /** The next frame that is not an Engine.IO ping. */
    private static Frame nextFrameSkippingPings(RawSocketClient client) throws IOException {
        Frame frame = client.readServerFrame();
        while (frame != null && frame.opcode() == TEXT && frame.text().equals("2")) {
            frame = client.readServerFrame();
        }
        assertThat(frame).as("a frame before the end of the stream").isNotNull();
        return frame;
    }

    /** The next frame that is not a text frame (the answer to bad input comes after anything already queued). */
    private static Frame nextFrameSkippingPackets(RawSocketClient client) throws IOException {
        Frame frame = client.readServerFrame();
        while (frame != null && frame.opcode() == TEXT) {
            frame = client.readServerFrame();
        }
        assertThat(frame).as("a frame before the end of the stream").isNotNull();
        return frame;
    }

    private static byte[] filler(char first, int length) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte) 'a');
        bytes[0] = (byte) first;
        return bytes;
    }
}
