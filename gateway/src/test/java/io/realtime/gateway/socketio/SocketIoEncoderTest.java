package io.realtime.gateway.socketio;

import com.corundumstudio.socketio.protocol.Packet;
import com.corundumstudio.socketio.protocol.PacketType;
import io.realtime.gateway.engineio.EnginePacket;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SocketIoEncoderTest {

    private final ObjectMapper mapper = SocketIoJson.newMapper();
    private final SocketIoEncoder encoder = new SocketIoEncoder(mapper);

    private static Packet event(String namespace, String name, Object... args) {
        Packet packet = new Packet(PacketType.MESSAGE);
        packet.setSubType(PacketType.EVENT);
        packet.setNsp(namespace);
        packet.setName(name);
        packet.setData(Arrays.asList(args));
        return packet;
    }

    private static Packet ack(String namespace, long id, List<?> args) {
        Packet ack = new Packet(PacketType.MESSAGE);
        ack.setSubType(PacketType.ACK);
        ack.setNsp(namespace);
        ack.setAckId(id);
        ack.setData(args);
        return ack;
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
        assertThat(encoder.encode(ack("", 3, List.of(new byte[] {5}))).get(0)).isEqualTo(EnginePacket.message("61-3[{\"_placeholder\":true,\"num\":0}]"));
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

    @Test
    void plainArgumentsAreWrittenAsTheirTreeWouldBe() throws Exception {
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("text", "\u00e9\"quoted\"\n");
        nested.put("absent", null);
        nested.put("numbers", Arrays.asList(1, -2L, (short) 3, (byte) 4, 1.5, 2.25f, Double.NaN,
                new BigInteger("18446744073709551615")));
        nested.put("deeper", List.of(Map.of("ok", true), List.of()));
        Object[] args = {"room-1", nested, mapper.readTree("{\"echoed\":[1,{\"a\":null}]}"), false, null};
        List<Object> expected = new ArrayList<>(List.of("up"));
        expected.addAll(Arrays.asList(args));

        List<EnginePacket> packets = encoder.encode(event("/chat", "up", args));

        assertThat(packets).containsExactly(EnginePacket.message(
                "2/chat," + mapper.writeValueAsString(mapper.valueToTree(expected))));
    }

    @Test
    void argumentsOtherThanPlainValuesTakeTheGeneralPathAndAreWrittenAsBefore() {
        record Point(int x, int y) {
        }
        Map<Object, Object> numberKeys = new LinkedHashMap<>();
        numberKeys.put(1, "one");
        Object deep = "bottom";
        for (int i = 0; i < SocketIoJson.MAX_NESTING_DEPTH + 5; i++) {
            deep = List.of(deep);
        }

        assertThat(encoder.encode(event("", "p", new Point(1, 2), new LinkedHashSet<>(List.of("a", "b")), numberKeys)))
                .containsExactly(EnginePacket.message("2[\"p\",{\"x\":1,\"y\":2},[\"a\",\"b\"],{\"1\":\"one\"}]"));
        assertThat(encoder.encode(event("", "deep", deep)).get(0).text())
                .startsWith("2[\"deep\",[[[").endsWith("\"bottom\"" + "]".repeat(SocketIoJson.MAX_NESTING_DEPTH + 5 + 1));
    }

    /** As JSON.stringify: a number JSON cannot hold (1e400 read, Infinity, NaN) is written as null, never as a string. */
    @Test
    void numbersWithoutAJsonFormAreWrittenAsNull() throws Exception {
        Object read = mapper.readTree("[1e400,-1e400,2.5]");
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("nan", Double.NaN);
        nested.put("small", Float.NEGATIVE_INFINITY);

        assertThat(encoder.encode(event("", "n", read, Double.POSITIVE_INFINITY, nested, 1.5f)))
                .containsExactly(EnginePacket.message("2[\"n\",[null,null,2.5],null,{\"nan\":null,\"small\":null},1.5]"));
        record Reading(double value) {
        }
        assertThat(encoder.encode(event("", "r", new Reading(Double.NaN))))
                .containsExactly(EnginePacket.message("2[\"r\",{\"value\":null}]"));
    }

    @Test
    void anAckWithoutArgumentsIsAnEmptyArray() {
        assertThat(encoder.encode(ack("/chat", 12, null))).containsExactly(EnginePacket.message("3/chat,12[]"));
    }
}
