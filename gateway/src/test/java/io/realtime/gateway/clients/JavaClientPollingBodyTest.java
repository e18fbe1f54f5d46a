package io.realtime.gateway.clients;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.realtime.gateway.engineio.EngineSession;
import io.realtime.gateway.testing.RawPolling;
import io.realtime.gateway.testing.TestNode;
import io.socket.engineio.parser.Packet;
import io.socket.engineio.parser.Parser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The long-polling bodies socket.io-client-java 2.x posts, byte for byte. Its engine.io parser writes binary
 * attachments as {@code b} + base64 with MIME line breaks (Android's {@code Base64.DEFAULT}: a line feed every 76
 * characters and one at the end); Node's engine.io accepts that, and so must we.
 */
class JavaClientPollingBodyTest {

    private static final String HEADER = "451-[\"message\",{\"_placeholder\":true,\"num\":0}]";
    private static final String ECHO_HEADER = "451-[\"message-back\",{\"_placeholder\":true,\"num\":0}]";

    private static TestNode node;

    @BeforeAll
    static void start() {
        node = TestNode.start("--allowEIO3=true", "--pingInterval=25000", "--pingTimeout=20000");
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void shortAttachmentWithTheClientsTrailingLineFeedIsEchoed() {
        RawPolling polling = connected("4");
        String body = clientPayload(HEADER, new byte[] {1, 2, 3});
        assertThat(body).isEqualTo(HEADER + "\u001ebAQID\n");

        HttpResponse<String> posted = polling.post(body);

        assertThat(posted.statusCode()).isEqualTo(200);
        assertThat(polling.poll().body()).isEqualTo(ECHO_HEADER + "\u001ebAQID");
    }

    @Test
    void longAttachmentBrokenIntoLinesIsEchoedWhole() {
        RawPolling polling = connected("4");
        byte[] data = new byte[200];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31);
        }
        String body = clientPayload(HEADER, data);
        assertThat(body.split("\n")).as("base64 lines of 76 characters").hasSize(4);

        assertThat(polling.post(body).statusCode()).isEqualTo(200);

        assertThat(polling.poll().body()).isEqualTo(ECHO_HEADER + "\u001eb" + Base64.getEncoder().encodeToString(data));
    }

    /** socket.io-client-java 1.x speaks Engine.IO v3 with the same encoder: {@code b4} records, line feeds included. */
    @Test
    void engineIoV3B4RecordWithLineFeedIsEchoed() {
        RawPolling polling = connected("3");
        String header = HEADER.substring(1);
        String attachment = "b4AQID\n";

        assertThat(polling.post(header.length() + 1 + ":4" + header + attachment.length() + ":" + attachment)
                .statusCode()).isEqualTo(200);

        // Without b64=1 a v3 client gets the binary framing: the attachment is the last record, 0x01 4 0xff 0x04 1 2 3.
        byte[] echoed = polling.pollBytes().body();
        assertThat(new String(echoed, StandardCharsets.ISO_8859_1)).contains(ECHO_HEADER);
        assertThat(Arrays.copyOfRange(echoed, echoed.length - 7, echoed.length)).containsExactly(1, 4, 0xff, 4, 1, 2, 3);
    }

    @Test
    void garbledBase64StillEndsTheSessionWithBadRequestAndOneLogLineSayingWhy() {
        Logger logger = (Logger) LoggerFactory.getLogger(EngineSession.class);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        logger.addAppender(logged);
        try {
            RawPolling polling = connected("4");

            HttpResponse<String> posted = polling.post(HEADER + "\u001ebAQ*ID");

            assertThat(posted.statusCode()).isEqualTo(400);
            assertThat(posted.body()).isEqualTo("{\"code\":3,\"message\":\"Bad request\"}");
            assertThat(polling.post("42[\"message\",\"too late\"]").statusCode()).isEqualTo(400);
            assertThat(polling.poll().statusCode()).isEqualTo(400);
            await().atMost(Duration.ofSeconds(2)).until(() -> !logged.list.isEmpty());
            assertThat(logged.list).filteredOn(event -> event.getLevel().isGreaterOrEqual(Level.INFO))
                    .singleElement().satisfies(event -> assertThat(event.getFormattedMessage())
                            .contains(polling.sid()).contains("dropped").contains("bad base64 binary record"));
        } finally {
            logger.detachAppender(logged);
        }
    }

    private static RawPolling connected(String eio) {
        RawPolling polling = new RawPolling(node, eio);
        String open = polling.open();
        if ("4".equals(eio)) {
            polling.post("40");
            assertThat(polling.poll().body()).startsWith("40{\"sid\"");
        } else {
            // Engine.IO v3 joins "/" with the handshake: its 40 came with the open packet.
            assertThat(open).contains("2:40");
        }
        return polling;
    }

    /** The body the client itself would post for this event and attachment (its own encoder). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static String clientPayload(String header, byte[] attachment) {
        AtomicReference<String> body = new AtomicReference<>();
        Packet[] packets = {new Packet<>(Packet.MESSAGE, header.substring(1)), new Packet<>(Packet.MESSAGE, attachment)};
        Parser.encodePayload(packets, (Parser.EncodeCallback<String>) body::set);
        return body.get();
    }
}
