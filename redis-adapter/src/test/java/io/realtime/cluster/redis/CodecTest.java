package io.realtime.cluster.redis;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.realtime.cluster.BroadcastOptions;
import io.realtime.cluster.ClusterObserver;
import io.realtime.cluster.ClusterPacket;
import io.realtime.cluster.ClusterStats;
import io.realtime.cluster.SocketDetails;
import io.realtime.cluster.core.ClusterMessage;
import io.realtime.cluster.core.ClusterMessage.Broadcast;
import io.realtime.cluster.core.ClusterMessage.FetchSocketsResponse;
import io.realtime.cluster.core.ClusterMessage.ServerSideEmit;
import io.realtime.cluster.core.ClusterMessage.SocketsJoin;
import io.realtime.cluster.core.MalformedMessageException;
import io.realtime.cluster.core.MalformedMessages;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The two Redis wire formats, and what happens to messages that are neither. */
class CodecTest {

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void shardedMessagesAreNodesShapeInJsonAndMsgpackWhenBinary() throws Exception {
        ShardedCodec codec = new ShardedCodec("/chat");
        BroadcastOptions opts = new BroadcastOptions(Set.of("r1"), Set.of("x"), false, true, null);
        Broadcast broadcast = new Broadcast("0123456789abcdef", ClusterPacket.of("ev", 1, "two"), opts, null);

        byte[] encoded = codec.encode(broadcast);

        Map<?, ?> body = json.readValue(encoded, Map.class);
        assertThat(body.get("uid")).isEqualTo("0123456789abcdef");
        assertThat(body.get("nsp")).isEqualTo("/chat");
        assertThat(body.get("type")).isEqualTo(3);
        assertThat(((Map<?, ?>) body.get("data")).get("packet")).isEqualTo(Map.of("type", 2, "data", List.of("ev", 1, "two"), "nsp", "/chat"));
        assertThat(((Map<?, ?>) body.get("data")).get("opts"))
                .isEqualTo(Map.of("rooms", List.of("r1"), "except", List.of("x"), "flags", Map.of("volatile", true)));
        assertThat(codec.decode(encoded)).isEqualTo(broadcast);

        Broadcast binary = new Broadcast("u", ClusterPacket.of("bin", (Object) new byte[] {1, 2}), BroadcastOptions.ALL, "req1");
        byte[] packed = codec.encode(binary);
        assertThat(packed[0]).as("msgpack map, not JSON").isNotEqualTo((byte) '{');
        Broadcast decoded = (Broadcast) codec.decode(packed);
        assertThat(decoded.requestId()).isEqualTo("req1");
        assertThat((byte[]) decoded.packet().args().get(0)).containsExactly(1, 2);

        SocketsJoin join = new SocketsJoin("u", BroadcastOptions.ALL.withRooms(Set.of("a")), Set.of("b"));
        assertThat(codec.decode(codec.encode(join))).isEqualTo(join);
        FetchSocketsResponse fetched = new FetchSocketsResponse("u", "r", List.of(new SocketDetails("s1", Map.of("url", "/"), Set.of("s1", "a"), null)));
        assertThat(codec.decode(codec.encode(fetched))).isEqualTo(fetched);
    }

    @Test
    void shardedHeartbeatsAreIgnoredAndUnknownTypesAreMalformed() {
        ShardedCodec codec = new ShardedCodec("/");
        assertThat(codec.decode(bytes("{\"uid\":\"u\",\"nsp\":\"/\",\"type\":2}"))).isNull();
        assertThatThrownBy(() -> codec.decode(bytes("{\"uid\":\"u\",\"nsp\":\"/\",\"type\":42,\"data\":{}}")))
                .isInstanceOf(MalformedMessageException.class).extracting(e -> ((MalformedMessageException) e).kind())
                .isEqualTo("unknown sharded message type");
        assertThatThrownBy(() -> codec.decode(bytes("{\"uid\":\"u\",\"type\":3,\"data\":{\"packet\":{\"data\":[]}}}")))
                .isInstanceOf(MalformedMessageException.class);
        assertThatThrownBy(() -> codec.decode(bytes("{not json")))
                .isInstanceOf(MalformedMessageException.class).extracting(e -> ((MalformedMessageException) e).kind())
                .isEqualTo("invalid JSON");
    }

    @Test
    void classicMessagesKeepTheirFormats() throws Exception {
        ClassicCodec codec = new ClassicCodec("/");
        Broadcast broadcast = new Broadcast("abcdef", ClusterPacket.of("ev", "x"), BroadcastOptions.ALL.withRooms(Set.of("r")), null);
        assertThat(codec.decodeBroadcast(codec.broadcast(broadcast))).isEqualTo(broadcast);
        Broadcast flagged = new Broadcast("abcdef", ClusterPacket.of("ev"), new BroadcastOptions(Set.of("r"), Set.of("x"), false, true, null), null);
        assertThat(codec.decodeBroadcast(codec.broadcast(flagged))).as("volatile crosses the wire").isEqualTo(flagged);

        ServerSideEmit emit = new ServerSideEmit("abcdef", null, List.of("sync", 1));
        Map<?, ?> request = json.readValue(codec.request(emit), Map.class);
        assertThat(request).isEqualTo(Map.of("uid", "abcdef", "type", 6, "data", List.of("sync", 1)));
        assertThat(codec.decodeRequest(codec.request(emit))).isEqualTo(emit);

        ClusterMessage emitterJoin = codec.decodeRequest(bytes("{\"type\":2,\"opts\":{\"rooms\":[\"a\"],\"except\":[]},\"rooms\":[\"b\"]}"));
        assertThat(emitterJoin).isEqualTo(new SocketsJoin(null, new BroadcastOptions(Set.of("a"), Set.of(), false, false, null), Set.of("b")));
        assertThat(codec.decodeBroadcast(new io.realtime.cluster.redis.WireCodec().msgpack(List.of("u",
                Map.of("type", 2, "data", List.of("e"), "nsp", "/other"), Map.of())))).as("another namespace").isNull();
        byte[] withoutNsp = new io.realtime.cluster.redis.WireCodec().msgpack(List.of("u", Map.of("type", 2, "data", List.of("e")), Map.of()));
        assertThat(codec.decodeBroadcast(withoutNsp)).as("no nsp: for /").isNotNull();
        assertThat(new ClassicCodec("/chat").decodeBroadcast(withoutNsp)).as("no nsp: not for /chat").isNull();
    }

    @Test
    void classicGarbageIsMalformed() {
        ClassicCodec codec = new ClassicCodec("/");
        assertThatThrownBy(() -> codec.decodeBroadcast(new byte[] {(byte) 0xc1})).isInstanceOf(MalformedMessageException.class);
        assertThatThrownBy(() -> codec.decodeBroadcast(new WireCodec().msgpack(List.of("only-uid"))))
                .isInstanceOf(MalformedMessageException.class);
        assertThatThrownBy(() -> codec.decodeRequest(bytes("{\"uid\":\"u\",\"type\":77}")))
                .isInstanceOf(MalformedMessageException.class);
        assertThatThrownBy(() -> codec.decodeRequest(bytes("{\"uid\":\"u\",\"type\":5,\"requestId\":\"r\"}")))
                .isInstanceOf(MalformedMessageException.class).hasMessageContaining("missing opts");
    }

    @Test
    void msgpackNestedDeeperThanJsonMayBeIsMalformedNotAStackOverflow() {
        ClassicCodec codec = new ClassicCodec("/");
        // ["u", [[[ ... ]]], {}]: 200,000 one-element arrays around nil, about 200 kB from any publisher.
        int depth = 200_000;
        byte[] message = new byte[depth + 5];
        message[0] = (byte) 0x93;
        message[1] = (byte) 0xa1;
        message[2] = 'u';
        java.util.Arrays.fill(message, 3, 3 + depth, (byte) 0x91);
        message[3 + depth] = (byte) 0xc0;
        message[4 + depth] = (byte) 0x80;
        assertThatThrownBy(() -> codec.decodeBroadcast(message)).isInstanceOf(MalformedMessageException.class);

        byte[] shallow = new byte[WireCodec.MAX_DEPTH + 5];
        System.arraycopy(message, 0, shallow, 0, 3);
        java.util.Arrays.fill(shallow, 3, 3 + WireCodec.MAX_DEPTH, (byte) 0x91);
        shallow[3 + WireCodec.MAX_DEPTH] = (byte) 0xc0;
        shallow[4 + WireCodec.MAX_DEPTH] = (byte) 0x80;
        assertThatThrownBy(() -> codec.decodeBroadcast(shallow)).as("as deep as allowed, but not a packet")
                .isInstanceOf(MalformedMessageException.class).hasMessageNotContaining("nested deeper");
    }

    @Test
    void datesFromNodeAreTheStringsAClientOfANodeNodeGets() {
        // notepack's timestamp 32, 64 and 96 (1970-01-01, 2024-06-01T12:00:00.123Z, 1969-12-31T23:59:59.999Z).
        assertThat(WireCodec.extensionValue((byte) -1, new byte[] {0, 0, 0, 0})).isEqualTo("1970-01-01T00:00:00.000Z");
        long millis = 1_717_243_200_123L;
        long seconds = millis / 1000;
        long nanos = (millis % 1000) * 1_000_000;
        byte[] t64 = java.nio.ByteBuffer.allocate(8).putLong((nanos << 34) | seconds).array();
        assertThat(WireCodec.extensionValue((byte) -1, t64)).isEqualTo("2024-06-01T12:00:00.123Z");
        byte[] t96 = java.nio.ByteBuffer.allocate(12).putInt(999_000_000).putLong(-1).array();
        assertThat(WireCodec.extensionValue((byte) -1, t96)).isEqualTo("1969-12-31T23:59:59.999Z");
        byte[] farFuture = java.nio.ByteBuffer.allocate(12).putInt(0).putLong(253_402_300_800L).array();
        assertThat(WireCodec.extensionValue((byte) -1, farFuture)).isEqualTo("+010000-01-01T00:00:00.000Z");
        byte[] beyond = java.nio.ByteBuffer.allocate(12).putInt(0).putLong(Long.MAX_VALUE).array();
        assertThat(WireCodec.extensionValue((byte) -1, beyond)).as("no Date holds it").isNull();
        // Older notepack: a date as type 0 in 8 bytes, undefined in one, an ArrayBuffer in any other size.
        assertThat(WireCodec.extensionValue((byte) 0, java.nio.ByteBuffer.allocate(8).putLong(0).array()))
                .isEqualTo("1970-01-01T00:00:00.000Z");
        assertThat(WireCodec.extensionValue((byte) 0, new byte[] {0})).isNull();
        assertThat(WireCodec.extensionValue((byte) 0, new byte[] {1, 2, 3})).isEqualTo(new byte[] {1, 2, 3});
        assertThat(WireCodec.extensionValue((byte) 5, new byte[] {1})).isNull();

        // As a whole message: ["u", {type: 2, data: ["tick", <Date 0>], nsp: "/"}, {}] with fixext4 timestamp 32.
        byte[] message = {(byte) 0x93, (byte) 0xa1, 'u', (byte) 0x83,
                (byte) 0xa4, 't', 'y', 'p', 'e', 2,
                (byte) 0xa4, 'd', 'a', 't', 'a', (byte) 0x92, (byte) 0xa4, 't', 'i', 'c', 'k', (byte) 0xd6, (byte) 0xff, 0, 0, 0, 0,
                (byte) 0xa3, 'n', 's', 'p', (byte) 0xa1, '/', (byte) 0x80};
        assertThat(new ClassicCodec("/").decodeBroadcast(message).packet().args()).containsExactly("1970-01-01T00:00:00.000Z");
    }

    @Test
    void binaryInJsonMessagesIsWrittenAsNodeWritesABuffer() {
        assertThat(new String(new WireCodec().json(Map.of("b", new byte[] {1, (byte) 255})), java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo("{\"b\":{\"type\":\"Buffer\",\"data\":[1,255]}}");
    }

    @Test
    void malformedMessagesAreCountedEachAndLoggedOncePerKind() {
        Logger logger = (Logger) LoggerFactory.getLogger(MalformedMessages.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            ClusterStats stats = new ClusterStats("classic");
            AtomicInteger observed = new AtomicInteger();
            MalformedMessages malformed = new MalformedMessages("classic", stats, new ClusterObserver() {
                @Override
                public void malformedMessage(String transport, String kind) {
                    observed.incrementAndGet();
                }
            });

            malformed.report("ch", "invalid JSON", "1");
            malformed.report("ch", "invalid JSON", "2");
            malformed.report("ch", "unknown type", "3");

            assertThat(stats.malformed()).isEqualTo(3);
            assertThat(observed).hasValue(3);
            assertThat(appender.list).hasSize(2);
            assertThat(appender.list.get(0).getFormattedMessage()).contains("invalid JSON", "classic");
        } finally {
            logger.detachAppender(appender);
        }
    }

    @Test
    void onlySocketIoLengthIdsStayOnTheNamespaceChannelInDynamicMode() {
        // Node's rule: a UUID room (a stock netty-socketio socket, a user id) has a channel of its own.
        assertThat(ShardedTransport.looksLikeASocketId("AbCdEfGhIjKlMnOpQrSt")).isTrue();
        assertThat(ShardedTransport.looksLikeASocketId(java.util.UUID.randomUUID().toString())).isFalse();
        assertThat(ShardedTransport.looksLikeASocketId("lobby")).isFalse();
        assertThat(ShardedTransport.looksLikeASocketId("x".repeat(36))).isFalse();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

}
