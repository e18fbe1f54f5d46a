package io.realtime.gateway.engineio;

import com.corundumstudio.socketio.protocol.EngineIOVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PollingPayloadTest {

    private static final List<EnginePacket> MIXED = List.of(
            EnginePacket.message("2[\"é\"]"), EnginePacket.binaryMessage(new byte[] {1, 2, 3}), EnginePacket.PING);

    @Test
    void v4JoinsRecordsWithTheRecordSeparatorAndBase64ForBinary() {
        PollingPayload.Body body = PollingPayload.encode(MIXED, EngineIOVersion.V4, false);

        assertThat(new String(body.bytes(), StandardCharsets.UTF_8)).isEqualTo("42[\"é\"]\u001ebAQID\u001e2");
        assertThat(body.contentType()).isEqualTo("text/plain; charset=UTF-8");
        assertThat(PollingPayload.decode(body.bytes(), EngineIOVersion.V4)).isEqualTo(MIXED);
    }

    @Test
    void v3TextPayloadCountsCharactersNotBytes() {
        PollingPayload.Body body = PollingPayload.encode(List.of(EnginePacket.message("é")), EngineIOVersion.V3, true);

        assertThat(new String(body.bytes(), StandardCharsets.UTF_8)).isEqualTo("2:4é");
        assertThat(PollingPayload.decode(body.bytes(), EngineIOVersion.V3)).containsExactly(EnginePacket.message("é"));
    }

    @Test
    void v3Base64ClientsGetBinaryAsB4Records() {
        PollingPayload.Body body = PollingPayload.encode(MIXED, EngineIOVersion.V3, true);

        assertThat(new String(body.bytes(), StandardCharsets.UTF_8)).isEqualTo("7:42[\"é\"]6:b4AQID1:2");
        assertThat(PollingPayload.decode(body.bytes(), EngineIOVersion.V3)).isEqualTo(MIXED);
    }

    @Test
    void v3BinaryCapableClientsGetTheBinaryFraming() {
        PollingPayload.Body body = PollingPayload.encode(
                List.of(EnginePacket.message("x"), EnginePacket.binaryMessage(new byte[] {9, 8})), EngineIOVersion.V3, false);

        assertThat(body.bytes()).containsExactly(0, 2, 0xff, '4', 'x', 1, 3, 0xff, 4, 9, 8);
        assertThat(body.contentType()).isEqualTo("application/octet-stream");
        assertThat(PollingPayload.decode(body.bytes(), EngineIOVersion.V3))
                .containsExactly(EnginePacket.message("x"), EnginePacket.binaryMessage(new byte[] {9, 8}));
    }

    /**
     * socket.io-client-java encodes attachments with Android's {@code Base64.DEFAULT}: a line feed after every 76
     * characters and at the end. Node's engine.io decodes that ({@code Buffer.from(s, "base64")} ignores whitespace).
     */
    @Test
    void v4BinaryRecordsMayCarryLineBreaksAsSocketIoClientJavaSendsThem() {
        byte[] data = new byte[100];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 7);
        }
        String mime = Base64.getMimeEncoder(76, new byte[] {'\n'}).encodeToString(data) + "\n";
        assertThat(mime).contains("\n").hasLineCount(2);

        String body = "451-[\"upload\",{\"_placeholder\":true,\"num\":0}]\u001eb" + mime;

        assertThat(PollingPayload.decode(body.getBytes(StandardCharsets.UTF_8), EngineIOVersion.V4)).containsExactly(
                EnginePacket.message("51-[\"upload\",{\"_placeholder\":true,\"num\":0}]"), EnginePacket.binaryMessage(data));
    }

    @Test
    void v3B4RecordsMayCarryLineBreaksToo() {
        String record = "b4AQID\n";

        List<EnginePacket> packets = PollingPayload.decode((record.length() + ":" + record).getBytes(StandardCharsets.UTF_8),
                EngineIOVersion.V3);

        assertThat(packets).containsExactly(EnginePacket.binaryMessage(new byte[] {1, 2, 3}));
    }

    /** What Node's {@code Buffer.from(s, "base64")} makes of each (checked with Node 20); escapes spelled out. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "AQID|010203", "'AQ\\r\\nID\\t '|010203", "AQ|01", "AQ=|01", "AQ==|01", "-_8|fbff", "+/8=|fbff", "''|''"})
    void binaryRecordsAreDecodedAsNodeDecodesThem(String base64, String hex) {
        String text = base64.replace("\\r", "\r").replace("\\n", "\n").replace("\\t", "\t");

        List<EnginePacket> packets = PollingPayload.decode(("b" + text).getBytes(StandardCharsets.UTF_8), EngineIOVersion.V4);

        assertThat(packets).containsExactly(EnginePacket.binaryMessage(java.util.HexFormat.of().parseHex(hex)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "9", "4x\u001e", "bnot base64!", "bAQ==AQ", "bA", "bAQID\u00e9", "bA===", "b*AQ"})
    void malformedV4BodiesAreRejected(String body) {
        assertThatThrownBy(() -> PollingPayload.decode(body.getBytes(StandardCharsets.UTF_8), EngineIOVersion.V4))
                .isInstanceOf(EngineProtocolException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"5:4", "x:4", ":4", "99999999999:4", "2:9x", "4:b4A=", "5:b4A!B", "-1:4", "2147483647:4"})
    void malformedV3BodiesAreRejected(String body) {
        assertThatThrownBy(() -> PollingPayload.decode(body.getBytes(StandardCharsets.UTF_8), EngineIOVersion.V3))
                .isInstanceOf(EngineProtocolException.class);
    }

    /**
     * Lengths near or past Integer.MAX_VALUE in the binary framing: each is refused before anything is sized from it
     * (2,147,483,640 once overflowed past the check into a 2-GiB allocation, which ends a node sized for containers).
     */
    @ParameterizedTest
    @ValueSource(strings = {"01 02 01 04 07 04 08 03 06 04 00 ff 04", "00 02 01 04 07 04 08 03 06 04 07 ff 34",
            "00 09 09 09 09 09 09 09 09 09 09 ff 34", "01 04 02 09 04 09 06 07 02 09 06 ff 04"})
    void v3BinaryRecordLengthsPastThePayloadAreRejected(String hex) {
        byte[] body = java.util.HexFormat.ofDelimiter(" ").parseHex(hex);

        assertThatThrownBy(() -> PollingPayload.decode(body, EngineIOVersion.V3))
                .isInstanceOf(EngineProtocolException.class);
    }
}
