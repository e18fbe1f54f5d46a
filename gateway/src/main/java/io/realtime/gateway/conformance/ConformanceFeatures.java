package io.realtime.gateway.conformance;

import com.corundumstudio.socketio.SocketIONamespace;
import com.corundumstudio.socketio.SocketIOServer;
import io.realtime.gateway.socketio.NamespaceNames;

import java.util.Map;

/**
 * The behaviour of the Socket.IO project's own protocol test server, so any Socket.IO conformance suite can run
 * against a node: namespaces {@code /} and {@code /custom}; on connection the event {@code auth} carries the
 * handshake's auth payload; {@code message} is echoed as {@code message-back}; {@code message-with-ack} is
 * acknowledged with its own arguments. Any other namespace is refused.
 */
public final class ConformanceFeatures {

    /** The events of the conformance features. */
    public static final java.util.Set<String> EVENTS = java.util.Set.of("auth", "message", "message-back", "message-with-ack");

    private ConformanceFeatures() {
    }

    public static void install(SocketIOServer server) {
        // Any netty-socketio server (the plain baseline too): it knows the main namespace as "".
        install(server.getNamespace(NamespaceNames.nettySocketIo(NamespaceNames.MAIN)));
        install(server.addNamespace("/custom"));
    }

    private static void install(SocketIONamespace namespace) {
        namespace.addConnectListener(client -> {
            Object auth = client.getHandshakeData().getAuthToken();
            client.sendEvent("auth", auth != null ? auth : Map.of());
        });
        namespace.addMultiTypeEventListener("message",
                (client, args, ack) -> client.sendEvent("message-back", args.getArgs().toArray()), Object.class);
        namespace.addMultiTypeEventListener("message-with-ack",
                (client, args, ack) -> ack.sendAckData(args.getArgs()), Object.class);
    }
}
