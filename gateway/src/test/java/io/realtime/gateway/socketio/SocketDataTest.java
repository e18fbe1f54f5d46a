package io.realtime.gateway.socketio;

import com.corundumstudio.socketio.SocketIOClient;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.realtime.cluster.LocalAdapter;
import io.realtime.cluster.SocketIds;
import io.realtime.gateway.testing.ProductNode;
import io.realtime.gateway.testing.RawWebSocket;
import io.realtime.gateway.testing.TestNode;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A socket's data is its own, as socket.io's {@code socket.data}: not shared with its connection's other sockets. */
class SocketDataTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void twoNamespaceSocketsOfOneConnectionKeepTheirOwnData() throws Exception {
        try (ProductNode node = ProductNode.start(Map.of(), "--pingInterval=25000");
             RawWebSocket ws = RawWebSocket.connect(node.webSocketUri("/socket.io/?EIO=4&transport=websocket"))) {
            assertThat(ws.nextText()).startsWith("0{");
            ws.sendText("40");
            String main = JSON.readTree(ws.nextText().substring(2)).get("sid").asText();
            ws.sendText("40/chat,");
            String chatAnswer = ws.nextText();
            String chat = JSON.readTree(chatAnswer.substring(chatAnswer.indexOf('{'))).get("sid").asText();
            SocketIOClient onMain = node.node().server().getNamespace("").getClient(SocketIds.parse(main));
            SocketIOClient onChat = node.node().server().getNamespace("/chat").getClient(SocketIds.parse(chat));

            onMain.set(LocalAdapter.SOCKET_DATA_KEY, Map.of("room", "lobby"));
            onChat.set(LocalAdapter.SOCKET_DATA_KEY, Map.of("room", "kitchen"));

            assertThat(onMain.<Map<String, String>>get(LocalAdapter.SOCKET_DATA_KEY)).containsEntry("room", "lobby");
            assertThat(onChat.<Map<String, String>>get(LocalAdapter.SOCKET_DATA_KEY)).containsEntry("room", "kitchen");
            onChat.del(LocalAdapter.SOCKET_DATA_KEY);
            assertThat(onChat.has(LocalAdapter.SOCKET_DATA_KEY)).isFalse();
            assertThat(onMain.has(LocalAdapter.SOCKET_DATA_KEY)).isTrue();

            // A socket that leaves and joins again on the same connection is a new socket, with no data.
            onChat.set(LocalAdapter.SOCKET_DATA_KEY, Map.of("room", "kitchen"));
            ws.sendText("41/chat,");
            ws.sendText("40/chat,");
            String again = ws.nextText();
            assertThat(again).startsWith("40/chat,{");
            SocketIOClient rejoined = node.node().server().getNamespace("/chat")
                    .getClient(SocketIds.parse(JSON.readTree(again.substring(again.indexOf('{'))).get("sid").asText()));
            assertThat(rejoined.has(LocalAdapter.SOCKET_DATA_KEY)).isFalse();
            assertThat(onMain.<Map<String, String>>get(LocalAdapter.SOCKET_DATA_KEY)).containsEntry("room", "lobby");
        }
    }

    @Test
    void whatARefusedConnectSetIsNotThereForTheNextSocketOfTheNamespace() throws Exception {
        BlockingQueue<String> seen = new LinkedBlockingQueue<>();
        try (TestNode node = TestNode.start(server -> {
                 var tiered = server.addNamespace("/tiered");
                 // Sets the client's tier, then refuses a bad token; a good one is admitted with nothing set.
                 tiered.addAuthTokenListener((auth, client) -> {
                     if (auth instanceof Map<?, ?> map && "ok".equals(map.get("token"))) {
                         return com.corundumstudio.socketio.AuthTokenResult.AuthTokenResultSuccess;
                     }
                     client.set("tier", "gold");
                     return new com.corundumstudio.socketio.AuthTokenResult(false, Map.of("message", "no"));
                 });
                 tiered.addConnectListener(client -> seen.add(String.valueOf(client.<Object>get("tier"))));
             }, "--pingInterval=25000");
             RawWebSocket ws = RawWebSocket.connect(node.webSocketUri("/socket.io/?EIO=4&transport=websocket"))) {
            assertThat(ws.nextText()).startsWith("0{");
            ws.sendText("40/tiered,{\"token\":\"bad\"}");
            assertThat(ws.nextText()).startsWith("44/tiered,");

            ws.sendText("40/tiered,{\"token\":\"ok\"}");

            assertThat(ws.nextText()).startsWith("40/tiered,{\"sid\":");
            assertThat(seen.poll(5, TimeUnit.SECONDS)).isEqualTo("null");
        }
    }
}
