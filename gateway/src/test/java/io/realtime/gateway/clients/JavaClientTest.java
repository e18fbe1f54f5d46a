package io.realtime.gateway.clients;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.realtime.gateway.GatewayNode;
import io.realtime.gateway.clients.JavaClient.Mode;
import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * socket.io-client-java 2.x (Maven Central's newest) against a real node with its built-in features, in each
 * transport mode: auth, acks, binary, broadcasts, a {@code /chat} room and a disconnect the server sees.
 * Reconnection after a restart is {@link JavaClientReconnectionTest}.
 */
class JavaClientTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static GatewayNode node;
    private static URI url;

    @BeforeAll
    static void start() {
        node = SuiteNodes.start(0);
        url = SuiteNodes.url(node);
    }

    @AfterAll
    static void stop() {
        node.stop();
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void everyFeatureOverTheTransport(Mode mode) throws Exception {
        String aliceToken = SuiteNodes.token("alice");
        try (JavaClient alice = JavaClient.create(url, "/", JavaClient.options(mode, Map.of("token", aliceToken), false)).connected();
             JavaClient bob = JavaClient.create(url, "/", JavaClient.options(Mode.WEBSOCKET, Map.of("token", SuiteNodes.token("bob")), false))
                     .connected()) {
            await().atMost(Duration.ofSeconds(5)).until(() -> mode.settled().equals(alice.transport()));

            // The auth payload reached the server, and the user it names is the one events are attributed to.
            JSONObject auth = (JSONObject) alice.ack("handshake-auth")[0];
            assertThat(auth.getString("token")).isEqualTo(aliceToken);
            alice.emit("sendMessage", "signed");
            JSONObject message = (JSONObject) alice.next("newMessage")[0];
            assertThat(message.getString("userId")).isEqualTo("alice");
            assertThat(message.getString("text")).isEqualTo("signed");

            // Acks: strings, nested JSON, unicode, several arguments.
            JSONObject nested = new JSONObject("{\"a\":[1,{\"b\":null,\"c\":[true,2.5]}],\"d\":{\"e\":\"f\"}}");
            String unicode = "héllo wörld ✓ 日本語 😀";
            Object[] echoed = alice.ack("echo", "plain", nested, unicode, 42);
            assertThat(echoed).hasSize(4);
            assertThat(echoed[0]).isEqualTo("plain");
            assertThat(tree(echoed[1])).isEqualTo(tree(nested));
            assertThat(echoed[2]).isEqualTo(unicode);
            assertThat(echoed[3]).isEqualTo(42);
            assertThat(tree(alice.ack("events", nested)[0])).isEqualTo(tree(nested));
            assertThat(alice.ack("events", unicode)).containsExactly(unicode);

            // Binary both ways, top-level and nested; the large one takes several base64 lines over polling.
            byte[] large = new byte[3000];
            for (int i = 0; i < large.length; i++) {
                large[i] = (byte) (i * 13);
            }
            JSONObject withBinary = new JSONObject().put("nested", new JSONObject().put("bin", new byte[] {4, 5}))
                    .put("list", new JSONArray().put("text").put(large));
            Object[] binaryAck = alice.ack("echo", new byte[] {1, 2, 3}, withBinary);
            assertThat((byte[]) binaryAck[0]).containsExactly(1, 2, 3);
            JSONObject binaryBack = (JSONObject) binaryAck[1];
            assertThat((byte[]) binaryBack.getJSONObject("nested").get("bin")).containsExactly(4, 5);
            assertThat(binaryBack.getJSONArray("list").getString(0)).isEqualTo("text");
            assertThat((byte[]) binaryBack.getJSONArray("list").get(1)).isEqualTo(large);
            alice.emit("echo-back", large, new JSONObject().put("deep", new JSONObject().put("bin", new byte[] {9})));
            Object[] event = alice.next("echoed");
            assertThat((byte[]) event[0]).isEqualTo(large);
            assertThat((byte[]) ((JSONObject) event[1]).getJSONObject("deep").get("bin")).containsExactly(9);
            assertThat((byte[]) alice.ack("events", (Object) new byte[] {7, 8})[0]).containsExactly(7, 8);

            // A broadcast from another client, and one of ours that the other client receives.
            alice.clear("chatToClient");
            bob.clear("chatToClient");
            bob.emit("chatToServer", "from bob");
            assertThat(alice.next("chatToClient")).containsExactly("from bob");
            alice.emit("chatToServer", "from alice ✓");
            assertThat(bob.next("chatToClient")).containsExactly("from bob");
            assertThat(bob.next("chatToClient")).containsExactly("from alice ✓");

            // /chat over the same connection (multiplexed): join a room, talk in it.
            try (JavaClient aliceChat = alice.namespace("/chat", Map.of("token", aliceToken)).connected();
                 JavaClient bobChat = bob.namespace("/chat", Map.of("token", SuiteNodes.token("bob"))).connected()) {
                String room = "lobby-" + mode.name().toLowerCase();
                assertThat(tree(aliceChat.ack("joinRoom", room)[0])).isEqualTo(JSON.readTree("{\"room\":\"" + room + "\",\"joined\":true}"));
                bobChat.ack("joinRoom", room);
                aliceChat.ack("chatToRoom", new JSONObject().put("room", room).put("message", "hi room ✓"));
                JSONObject heard = (JSONObject) bobChat.next("chatToClient")[0];
                assertThat(heard.getString("room")).isEqualTo(room);
                assertThat(heard.getString("message")).isEqualTo("hi room ✓");
                assertThat(heard.getString("from")).isEqualTo("alice");
            }

            // A clean disconnect, seen by the server (its disconnect listener tells every other client).
            String aliceId = alice.id();
            alice.socket().disconnect();
            JSONObject gone;
            do {
                gone = (JSONObject) bob.next("disconnected")[0];
            } while (!gone.getString("id").equals(aliceId));
            assertThat(alice.disconnectReasons()).containsExactly("io client disconnect");
        }
    }

    private static JsonNode tree(Object value) throws Exception {
        return JSON.readTree(value.toString());
    }
}
