package io.realtime.gateway.socketio;

import com.corundumstudio.socketio.SocketIONamespace;
import com.corundumstudio.socketio.namespace.Namespace;

/**
 * The one place where the main namespace's two names meet: netty-socketio calls it {@code ""}
 * ({@link Namespace#DEFAULT_NAME}), socket.io and everything of ours {@code "/"}. Code above netty-socketio speaks
 * the wire name only and converts here when it reads a name from, or passes one to, netty-socketio.
 */
public final class NamespaceNames {

    public static final String MAIN = "/";

    private NamespaceNames() {
    }

    /** The socket.io name of a netty-socketio namespace name ({@code ""} becomes {@code "/"}). */
    public static String wire(String nettySocketIoName) {
        return nettySocketIoName == null || nettySocketIoName.isEmpty() ? MAIN : nettySocketIoName;
    }

    /** The socket.io name of a namespace. */
    public static String wire(SocketIONamespace namespace) {
        return wire(namespace.getName());
    }

    /** The name netty-socketio knows a namespace by ({@code "/"} becomes {@code ""}). */
    public static String nettySocketIo(String name) {
        return MAIN.equals(name) ? Namespace.DEFAULT_NAME : name;
    }
}
