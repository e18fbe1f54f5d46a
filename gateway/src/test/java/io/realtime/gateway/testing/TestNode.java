package io.realtime.gateway.testing;

import com.corundumstudio.socketio.SocketIOServer;
import io.realtime.gateway.GatewayNode;
import io.realtime.gateway.config.GatewayConfig;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** A gateway node on a free port of 127.0.0.1 for one test, with the compatibility fixtures installed. */
public final class TestNode implements AutoCloseable {

    private final GatewayNode node;

    private TestNode(GatewayNode node) {
        this.node = node;
    }

    /** A conformance-mode node with the fixtures; {@code flags} are node flags such as {@code --pingInterval=300}. */
    public static TestNode start(String... flags) {
        return start(server -> { }, flags);
    }

    public static TestNode start(Consumer<SocketIOServer> extra, String... flags) {
        List<String> args = new ArrayList<>(List.of("--host=127.0.0.1", "--port=0", "--managementPort=0", "--conformance"));
        args.addAll(List.of(flags));
        GatewayConfig config = GatewayConfig.load(Map.of(), args.toArray(String[]::new));
        return new TestNode(GatewayNode.start(config, server -> {
            CompatFixtures.install(server);
            extra.accept(server);
        }));
    }

    public int port() {
        return node.socketIoAddress().getPort();
    }

    public URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + port() + pathAndQuery);
    }

    public URI webSocketUri(String pathAndQuery) {
        return URI.create("ws://127.0.0.1:" + port() + pathAndQuery);
    }

    public GatewayNode node() {
        return node;
    }

    @Override
    public void close() {
        node.stop();
    }
}
