package io.realtime.gateway.testing;

import com.corundumstudio.socketio.SocketIONamespace;
import com.corundumstudio.socketio.SocketIOServer;

import io.realtime.cluster.SocketIds;

import java.util.Map;

/**
 * What the client suites (socket.io-client-java, python-socketio, socket.io-client 2.x) need on top of the real
 * node's features, written against netty-socketio's public API: acks and events with several arguments (the
 * built-in {@code events} echo takes one), the handshake's auth payload as the server saw it, and a way for another
 * client to see that the server noticed a disconnection.
 */
public final class ClientSuiteFixtures {

    private ClientSuiteFixtures() {
    }

    public static void install(SocketIOServer server) {
        SocketIONamespace main = server.getNamespace("");
        main.addMultiTypeEventListener("echo", (client, args, ack) -> ack.sendAckData(args.getArgs()), Object.class);
        main.addMultiTypeEventListener("echo-back",
                (client, args, ack) -> client.sendEvent("echoed", args.getArgs().toArray()), Object.class);
        main.addEventListener("handshake-auth", Object.class, (client, data, ack) -> {
            Object auth = client.getHandshakeData().getAuthToken();
            ack.sendAckData(auth != null ? auth : Map.of());
        });
        main.addDisconnectListener(client ->
                main.getBroadcastOperations().sendEvent("disconnected", Map.of("id", SocketIds.wire(client.getSessionId()))));
    }
}
