package io.realtime.gateway.socketio;

import com.corundumstudio.socketio.protocol.Packet;
import com.corundumstudio.socketio.protocol.PacketType;
import io.realtime.gateway.engineio.EnginePacket;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SocketIoEncoderTest {

    private final SocketIoEncoder encoder = new SocketIoEncoder(SocketIoJson.newMapper());

    private static Packet event(String namespace, String name, Object... args) {
        Packet packet = new Packet(PacketType.MESSAGE);
        packet.setSubType(PacketType.EVENT);
        packet.setNsp(namespace);
        packet.setName(name);
        packet.setData(Arrays.asList(args));
        return packet;
    }

    @Test
    void eventOnTheMainNamespaceHasNoNamespacePrefix() {
        assertThat(encoder.encode(event("", "hello", "world", 1, null)))
                .containsExactly(EnginePacket.message("2[\"hello\",\"world\",1,null]"));
    }

    @Test
    void eventOnAnotherNamespaceIsPrefixedAndCommaSeparated() {
        Packet packet = event("/chat", "hi");
        packet.setAckId(7L);

        assertThat(encoder.encode(packet)).containsExactly(EnginePacket.message("2/chat,7[\"hi\"]"));
    }

    @Test
    void binaryAnywhereBecomesPlaceholdersAndAttachmentsInOrder() {
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("a", new byte[] {1});
        nested.put("list", List.of("x", ByteBuffer.wrap(new byte[] {2, 3})));

        List<EnginePacket> packets = encoder.encode(event("/chat", "up", nested, new byte[0]));

        assertThat(packets.get(0)).isEqualTo(EnginePacket.message(
                "53-/chat,[\"up\",{\"a\":{\"_placeholder\":true,\"num\":0},\"list\":[\"x\",{\"_placeholder\":true,\"num\":1}]},"
                        + "{\"_placeholder\":true,\"num\":2}]"));
        assertThat(packets.subList(1, 4)).containsExactly(EnginePacket.binaryMessage(new byte[] {1}),
                EnginePacket.binaryMessage(new byte[] {2, 3}), EnginePacket.binaryMessage(new byte[0]));
    }

    @Test
    void binaryAckIsTypeSix() {
        Packet ack = new Packet(PacketType.MESSAGE);
        ack.setSubType(PacketType.ACK);
        ack.setNsp("");
        ack.setAckId(3L);
        ack.setData(List.of(new byte[] {5}));

        assertThat(encoder.encode(ack).get(0)).isEqualTo(EnginePacket.message("61-3[{\"_placeholder\":true,\"num\":0}]"));
    }

    @Test
    void disconnectAndConnectErrorAsSocketIoSendsThem() {
        Packet disconnect = new Packet(PacketType.MESSAGE);
        disconnect.setSubType(PacketType.DISCONNECT);
        disconnect.setNsp("/chat");
        Packet error = new Packet(PacketType.MESSAGE);
        error.setSubType(PacketType.ERROR);
        error.setNsp("/x");
        error.setData(Map.of("message", "Invalid namespace"));

        assertThat(encoder.encode(disconnect)).containsExactly(EnginePacket.message("1/chat,"));
        assertThat(encoder.encode(error)).containsExactly(EnginePacket.message("4/x,{\"message\":\"Invalid namespace\"}"));
    }
}
