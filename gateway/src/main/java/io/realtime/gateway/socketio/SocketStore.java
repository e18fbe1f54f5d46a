package io.realtime.gateway.socketio;

/**
 * Where a namespace socket's data lives in its connection's store. netty-socketio keeps one store per connection and
 * lets every namespace socket of it read and write the same keys; socket.io's {@code socket.data} is each socket's own,
 * so a socket's keys are scoped by its namespace (one socket per namespace and connection).
 */
final class SocketStore {

    private SocketStore() {
    }

    static String key(String namespace, String key) {
        return namespace + '\u0000' + key;
    }
}
