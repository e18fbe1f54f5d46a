package io.realtime.gateway.testing;

import com.corundumstudio.socketio.AuthTokenResult;
import com.corundumstudio.socketio.MultiTypeAckCallback;
import com.corundumstudio.socketio.MultiTypeArgs;
import com.corundumstudio.socketio.SocketIONamespace;
import com.corundumstudio.socketio.SocketIOServer;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Server-side behaviour the compatibility tests drive, written against netty-socketio's public API only: the
 * conformance namespaces plus a namespace that refuses bad tokens and events that exercise server-initiated
 * disconnects, server-to-client acks, typed binary and broadcasts.
 */
public final class CompatFixtures {

    public static final String SECRET = "secret";

    private CompatFixtures() {
    }

    public static void install(SocketIOServer server) {
        SocketIONamespace main = server.getNamespace("");
        main.addEventListener("handshake", Object.class, (client, data, ack) -> {
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("namespace", client.getNamespace().getName());
            info.put("auth", client.getHandshakeData().getAuthToken());
            Map<String, String> query = new LinkedHashMap<>();
            client.getHandshakeData().getUrlParams().forEach((key, values) -> query.put(key, values.get(0)));
            info.put("query", query);
            ack.sendAckData(info);
        });
        main.addEventListener("disconnect-me", Object.class, (client, data, ack) -> client.disconnect());
        main.addEventListener("ask-client", Object.class, (client, question, ack) ->
                client.sendEvent("question", new MultiTypeAckCallback(Object.class, Object.class) {
                    @Override
                    public void onSuccess(MultiTypeArgs answer) {
                        ack.sendAckData(answer.getArgs());
                    }
                }, question));
        main.addEventListener("type-of", Object.class, (client, data, ack) ->
                ack.sendAckData(data == null ? "null" : data.getClass().getSimpleName()));
        main.addEventListener("binary-to-client", Object.class, (client, data, ack) ->
                client.sendEvent("binary", Map.of("first", new byte[] {1, 2, 3}, "list", List.of(new byte[] {4}, "text", new byte[] {5, 6}))));
        main.addEventListener("broadcast", Object.class, (client, data, ack) ->
                server.getBroadcastOperations().sendEvent("broadcasted", data));
        // What the server still counts as connected to "/", for tests that a socket which left is forgotten.
        main.addEventListener("socket-count", Object.class, (client, data, ack) -> ack.sendAckData(main.getAllClients().size()));

        SocketIONamespace restricted = server.addNamespace("/private");
        restricted.addAuthTokenListener((auth, client) -> {
            Object token = auth instanceof Map<?, ?> map ? map.get("token") : null;
            if (SECRET.equals(token)) {
                return AuthTokenResult.AuthTokenResultSuccess;
            }
            return new AuthTokenResult(false, Map.of("message", "unauthorized",
                    "data", Map.of("code", "unauthorized", "reason", token == null ? "no token" : "bad token")));
        });
        restricted.addConnectListener(client -> client.sendEvent("welcome", "private"));
    }

}
