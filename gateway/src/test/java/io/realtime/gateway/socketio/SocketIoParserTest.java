package io.realtime.gateway.socketio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BinaryNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SocketIoParserTest {

    private final SocketIoParser parser = new SocketIoParser(SocketIoJson.newMapper().readerFor(JsonNode.class), 10, 1_000);

    @Test
    void readsNamespaceAckIdAndPayload() {
        SocketIoPacket packet = parser.onText("2/chat,12[\"say\",\"hi\"]");

        assertThat(packet.type()).isEqualTo(SocketIoPacket.EVENT);
        assertThat(packet.namespace()).isEqualTo("/chat");
        assertThat(packet.ackId()).isEqualTo(12L);
        assertThat(packet.data().toString()).isEqualTo("[\"say\",\"hi\"]");
    }

    /** socket.io-parser checks a payload only where there is one: an ack may come without arguments. */
    @Test
    void anAckWithoutPayloadHasNoArguments() {
        SocketIoPacket packet = parser.onText("3/chat,12");
        assertThat(packet.type()).isEqualTo(SocketIoPacket.ACK);
        assertThat(packet.namespace()).isEqualTo("/chat");
        assertThat(packet.ackId()).isEqualTo(12L);
        assertThat(packet.data().isArray()).isTrue();
        assertThat(packet.data()).isEmpty();

        SocketIoPacket main = parser.onText("312");
        assertThat(main.namespace()).isEqualTo("/");
        assertThat(main.ackId()).isEqualTo(12L);
        assertThat(main.data()).isEmpty();

        assertThat(parser.onText("61-7")).as("waits for its attachment").isNull();
        SocketIoPacket binary = parser.onBinary(new byte[] {1});
        assertThat(binary.ackId()).isEqualTo(7L);
        assertThat(binary.data()).isEmpty();

        // Without an id, as socket.io-parser reads it: an ack that matches no request (the socket ignores it).
        SocketIoPacket withoutId = parser.onText("3/chat,");
        assertThat(withoutId.ackId()).isNull();
        assertThat(withoutId.namespace()).isEqualTo("/chat");
    }

    @Test
    void connectCarriesItsAuthObject() {
        SocketIoPacket packet = parser.onText("0/admin,{\"token\":\"t\"}");

        assertThat(packet.type()).isEqualTo(SocketIoPacket.CONNECT);
        assertThat(packet.namespace()).isEqualTo("/admin");
        assertThat(packet.data().get("token").asText()).isEqualTo("t");
        assertThat(parser.onText("0").namespace()).isEqualTo("/");
    }

    @Test
    void binaryPacketWaitsForItsAttachmentsAndPutsThemInPlace() {
        assertThat(parser.onText("52-[\"up\",{\"a\":{\"_placeholder\":true,\"num\":1},\"b\":[{\"_placeholder\":true,\"num\":0}]}]")).isNull();
        assertThat(parser.onBinary(new byte[] {1})).isNull();

        SocketIoPacket packet = parser.onBinary(new byte[] {2, 2});

        assertThat(packet.data().get(1).get("a")).isEqualTo(BinaryNode.valueOf(new byte[] {2, 2}));
        assertThat(packet.data().get(1).get("b").get(0)).isEqualTo(BinaryNode.valueOf(new byte[] {1}));
    }

    @Test
    void textWhileAttachmentsAreDueIsAnError() {
        parser.onText("51-[\"up\",{\"_placeholder\":true,\"num\":0}]");

        assertThatThrownBy(() -> parser.onText("2[\"x\"]")).isInstanceOf(SocketIoProtocolException.class);
    }

    @Test
    void aBinaryPacketIsBoundedWithItsAttachmentsTogether() {
        // Each message is small, but the packet waiting for its third attachment would hold them all.
        parser.onText("53-[\"up\",{\"_placeholder\":true,\"num\":0}]");
        assertThat(parser.onBinary(new byte[400])).isNull();
        assertThat(parser.onBinary(new byte[400])).isNull();

        assertThatThrownBy(() -> parser.onBinary(new byte[400])).isInstanceOf(SocketIoProtocolException.class)
                .hasMessageContaining("larger than 1000 bytes");
    }

    @Test
    void binaryWithoutAnnouncementIsAnError() {
        assertThatThrownBy(() -> parser.onBinary(new byte[] {1})).isInstanceOf(SocketIoProtocolException.class);
    }

    @Test
    void placeholderOutOfRangeIsAnError() {
        parser.onText("51-[\"up\",{\"_placeholder\":true,\"num\":3}]");

        assertThatThrownBy(() -> parser.onBinary(new byte[] {1})).isInstanceOf(SocketIoProtocolException.class);
    }

    @Test
    void onlyAPlaceholderThatIsTrueWithAnIntegerNumIsReplacedAsInSocketIoParser() {
        assertThat(parser.onText("51-[\"e\",{\"_placeholder\":1,\"num\":9},{\"_placeholder\":\"true\",\"num\":0},"
                + "{\"_placeholder\":true,\"num\":0}]")).isNull();

        SocketIoPacket packet = parser.onBinary(new byte[] {7});

        assertThat(packet.data().get(1)).isEqualTo(JsonNodeFactory.instance.objectNode().put("_placeholder", 1).put("num", 9));
        assertThat(packet.data().get(2)).isEqualTo(JsonNodeFactory.instance.objectNode().put("_placeholder", "true").put("num", 0));
        assertThat(packet.data().get(3)).isEqualTo(BinaryNode.valueOf(new byte[] {7}));
    }

    @Test
    void aPlaceholderWhoseNumIsNotAnIntegerIsAnError() {
        parser.onText("51-[\"up\",{\"_placeholder\":true,\"num\":0.5}]");

        assertThatThrownBy(() -> parser.onBinary(new byte[] {1})).isInstanceOf(SocketIoProtocolException.class)
                .hasMessageContaining("illegal attachments");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "7", "x", "2", "2{}", "2[]", "2[\"connect\"]", "2[\"disconnecting\",1]", "2[1", "2[1] 2",
            "0[1]", "0\"auth\"", "1{}", "3{}", "5-[\"a\"]", "50-[\"a\"]", "60-[]", "5x-[\"a\"]", "511-[\"a\"]", "21234567890123456[\"a\"]",
            "2/chat,{\"a\":1}", "4"})
    void malformedPacketsAreRejected(String text) {
        assertThatThrownBy(() -> parser.onText(text)).isInstanceOf(SocketIoProtocolException.class);
    }

    @Test
    void deeplyNestedPayloadsAreRejected() {
        String deep = "2[\"x\"," + "[".repeat(100) + "]".repeat(100) + "]";

        assertThatThrownBy(() -> parser.onText(deep)).isInstanceOf(SocketIoProtocolException.class);
    }

    @Test
    void eventNamesMayBeNumbersAsInSocketIoParser() {
        assertThat(parser.onText("2[1,\"x\"]").data().get(0).asInt()).isEqualTo(1);
    }
}
