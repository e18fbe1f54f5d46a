package io.realtime.cluster.redis;

import io.realtime.cluster.BroadcastOptions;
import io.realtime.cluster.ClusterPacket;
import io.realtime.cluster.core.ClusterMessage;
import io.realtime.cluster.core.ClusterMessage.Broadcast;
import io.realtime.cluster.core.ClusterMessage.FetchSockets;
import io.realtime.cluster.core.ClusterMessage.SocketsJoin;
import io.realtime.cluster.core.MalformedMessageException;
import io.realtime.cluster.recovery.SessionState;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code @socket.io/redis-streams-adapter} 0.3's formats; the base64 fixtures were written by its msgpack library. */
class StreamsCodecTest {

    /** {@code encode({sid, pid, rooms: [sid, "r1"], data: {n: 7, name: "x"}})} by {@code @msgpack/msgpack}. */
    private static final String NODE_SESSION = "hKNzaWS0YWJjZGVmZ2hpai1fMDEyM0FCQ0SjcGlktmVBbVpTZzNNaXg4djlGaDZFY2xsT0Glcm9vbXOStGFiY2RlZmdoaWotXzAxMjNBQkNEonIxpGRhdGGCoW4HpG5hbWWheA==";
    /** A broadcast's data with binary: {@code {packet: {type: 2, data: ["news", <01 02 03>], nsp: "/"}, opts: {rooms: ["r1"], except: [], flags: {}}}}. */
    private static final String NODE_BINARY_BROADCAST = "gqZwYWNrZXSDpHR5cGUCpGRhdGGSpG5ld3PEAwECA6Nuc3ChL6RvcHRzg6Vyb29tc5GicjGmZXhjZXB0kKVmbGFnc4A=";

    private final StreamsCodec codec = new StreamsCodec("/");

    @Test
    void readsTheSessionsNodeWritesAndWritesOnesItReads() {
        SessionState session = codec.sessionOf(NODE_SESSION, "data");
        assertThat(session.sid()).isEqualTo("abcdefghij-_0123ABCD");
        assertThat(session.pid()).isEqualTo("eAmZSg3Mix8v9Fh6EcllOA");
        assertThat(session.rooms()).containsExactly("abcdefghij-_0123ABCD", "r1");
        assertThat(session.attributes()).isEqualTo(Map.of("data", Map.of("n", 7, "name", "x")));

        String written = codec.session(session, Map.of("n", 7, "name", "x"));
        assertThat(codec.sessionOf(written, "data")).isEqualTo(session);
    }

    @Test
    void aSessionWrittenWithAnOwnerAndOnlySuchASessionCarriesThatOwnersPrefixFromItsFifthCharacter() {
        // Owners of every length mod 3 and both string headers (fixstr up to 31 bytes, str8 beyond), differing in
        // their last byte only; sessions of several map sizes (with and without kept keys).
        List<SessionState> sessions = List.of(new SessionState("sid-1", "pid-1", List.of("sid-1"), Map.of()),
                new SessionState("sid-22", "pid-22", List.of("sid-22", "room"), Map.of("data", Map.of("n", 1), "userId", "u")));
        for (int length = 1; length <= 40; length++) {
            String owner = "n".repeat(length - 1) + "1";
            String other = "n".repeat(length - 1) + "2";
            String prefix = codec.ownedPrefix(owner);
            assertThat(prefix).as("owner of %d bytes", length).isNotEmpty();
            for (SessionState session : sessions) {
                assertThat(codec.session(session, "data", owner).substring(4)).startsWith(prefix);
                assertThat(codec.session(session, "data", other).substring(4)).doesNotStartWith(prefix);
                assertThat(codec.session(session, "data", owner + "1").substring(4)).doesNotStartWith(prefix);
                assertThat(codec.session(session, "data", null).substring(4)).doesNotStartWith(prefix);
                assertThat(codec.ownerOf(codec.session(session, "data", owner))).isEqualTo(owner);
            }
        }
    }

    @Test
    void aSocketWithoutDataIsStoredWithAnEmptyObjectAsSocketIoExpects() {
        SessionState session = new SessionState("sid-1", "pid-1", List.of("sid-1"), Map.of());
        for (String written : List.of(codec.session(session, "data"), codec.session(session, (Object) null))) {
            Object stored = new WireCodec().decodeMsgpack(java.util.Base64.getDecoder().decode(written));
            assertThat(stored).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP).containsEntry("data", Map.of());
        }
    }

    @Test
    void readsStreamEntriesInJsonAndInBase64Msgpack() {
        ClusterMessage json = codec.fromEntry(Map.of("uid", "node", "nsp", "/", "type", "3", "data",
                "{\"packet\":{\"type\":2,\"data\":[\"news\",1],\"nsp\":\"/\"},\"opts\":{\"rooms\":[\"r1\"],\"except\":[],\"flags\":{}}}"));
        assertThat(json).isInstanceOfSatisfying(Broadcast.class, broadcast -> {
            assertThat(broadcast.uid()).isEqualTo("node");
            assertThat(broadcast.packet()).isEqualTo(ClusterPacket.of("news", 1));
            assertThat(broadcast.opts().rooms()).containsExactly("r1");
        });

        ClusterMessage binary = codec.fromEntry(Map.of("uid", "node", "nsp", "/", "type", "3", "data", NODE_BINARY_BROADCAST));
        assertThat(binary).isInstanceOfSatisfying(Broadcast.class, broadcast ->
                assertThat((byte[]) broadcast.packet().args().get(0)).containsExactly(1, 2, 3));
    }

    @Test
    void writesJsonUnlessTheDataHoldsBinaryAndReadsItBack() {
        BroadcastOptions toR1 = new BroadcastOptions(Set.of("r1"), Set.of(), false, false, null);
        Map<String, String> plain = codec.entry(new Broadcast("me", ClusterPacket.of("news", 1), toR1, null));
        assertThat(plain.keySet()).containsExactly("uid", "nsp", "type", "data");
        assertThat(plain).containsEntry("type", "3").containsEntry("nsp", "/");
        assertThat(plain.get("data")).startsWith("{");

        Map<String, String> binary = codec.entry(new Broadcast("me", ClusterPacket.of("news", (Object) new byte[] {4, 5}), toR1, null));
        assertThat(binary.get("data")).doesNotStartWith("{");
        Broadcast back = (Broadcast) codec.fromEntry(binary);
        assertThat((byte[]) back.packet().args().get(0)).containsExactly(4, 5);

        Map<String, String> join = codec.entry(new SocketsJoin("me", toR1, Set.of("r2")));
        assertThat(codec.fromEntry(join)).isInstanceOf(SocketsJoin.class);

        // The node's own number for an entry comes after the adapter's fields, which read the same with it.
        Map<String, String> numbered = codec.entry(new Broadcast("me", ClusterPacket.of("news", 1), toR1, null), "7");
        assertThat(numbered.keySet()).containsExactly("uid", "nsp", "type", "data", "seq");
        assertThat(numbered).containsEntry("seq", "7");
        assertThat(((Broadcast) codec.fromEntry(numbered)).packet().args()).containsExactly(1);
    }

    @Test
    void ephemeralMessagesGoOverPubSubAndOffsetsAreStreamIds() {
        BroadcastOptions all = BroadcastOptions.ALL;
        assertThat(StreamsCodec.isEphemeral(new Broadcast("me", ClusterPacket.of("e"), all, "req"))).isTrue();
        assertThat(StreamsCodec.isEphemeral(new Broadcast("me", ClusterPacket.of("e"), all, null))).isFalse();
        assertThat(StreamsCodec.isEphemeral(new FetchSockets("me", "req", all))).isTrue();
        assertThat(new WireCodec().decodeMsgpack(codec.published(new FetchSockets("me", "req", all))))
                .isInstanceOfSatisfying(Map.class, map -> assertThat(map).containsEntry("type", 7).containsEntry("uid", "me"));

        assertThat(StreamsCodec.isOffset("1700000000000-0")).isTrue();
        for (String bad : List.of("17", "1-0-0", "-1", "1e3-0", "a-b", "", "1".repeat(30) + "-0")) {
            assertThat(StreamsCodec.isOffset(bad)).as(bad).isFalse();
        }
        assertThat(StreamsCodec.isOffset(null)).isFalse();
        assertThat(StreamsCodec.nextOffset("1700000000000-41")).isEqualTo("1700000000000-42");
    }

    @Test
    void malformedEntriesAndSessionsAreRefusedAsMalformed() {
        assertThatThrownBy(() -> codec.fromEntry(Map.of("uid", "x", "type", "3"))).isInstanceOf(MalformedMessageException.class);
        assertThatThrownBy(() -> codec.fromEntry(Map.of("uid", "x", "type", "three", "data", "{}"))).isInstanceOf(MalformedMessageException.class);
        assertThatThrownBy(() -> codec.fromEntry(Map.of("uid", "x", "type", "3", "data", "%%%"))).isInstanceOf(MalformedMessageException.class);
        assertThatThrownBy(() -> codec.sessionOf("bm90IG1zZ3BhY2s=", "data")).isInstanceOf(MalformedMessageException.class);
        assertThatThrownBy(() -> codec.sessionOf("!!", "data")).isInstanceOf(MalformedMessageException.class);
    }

    @Test
    void heartbeatsAndAdapterClosesInTheStreamAreNothingToUsNotMalformed() {
        assertThat(codec.fromEntry(Map.of("uid", "x", "nsp", "/", "type", "1"))).isNull();
        assertThat(codec.fromEntry(Map.of("uid", "x", "nsp", "/", "type", "2", "data", "{}"))).isNull();
        assertThat(codec.fromEntry(Map.of("uid", "x", "nsp", "/", "type", "13"))).isNull();
    }
}
