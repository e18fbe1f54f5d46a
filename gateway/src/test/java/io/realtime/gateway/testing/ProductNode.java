package io.realtime.gateway.testing;

import io.realtime.gateway.GatewayNode;
import io.realtime.gateway.config.GatewayConfig;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The real node (built-in features and internal API) on free ports of 127.0.0.1. */
public final class ProductNode implements AutoCloseable {

    private final GatewayNode node;

    private ProductNode(GatewayNode node) {
        this.node = node;
    }

    public static ProductNode start(Map<String, String> environment, String... flags) {
        List<String> args = new ArrayList<>(List.of("--host=127.0.0.1", "--managementHost=127.0.0.1", "--port=0", "--managementPort=0"));
        args.addAll(List.of(flags));
        return new ProductNode(GatewayNode.start(GatewayConfig.load(environment, args.toArray(String[]::new))));
    }

    public GatewayNode node() {
        return node;
    }

    public URI webSocketUri(String pathAndQuery) {
        return URI.create("ws://127.0.0.1:" + node.socketIoAddress().getPort() + pathAndQuery);
    }

    /** A path and query on the Socket.IO port, over HTTP (long-polling). */
    public URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + node.socketIoAddress().getPort() + pathAndQuery);
    }

    public URI apiUri(String path) {
        return URI.create("http://127.0.0.1:" + node.managementAddress().getPort() + path);
    }

    /** A client socket: its WebSocket and its id. */
    public record Client(RawWebSocket ws, String sid) implements AutoCloseable {
        @Override
        public void close() {
            ws.close();
        }
    }

    /** As {@link #connect}, keeping the socket id the CONNECT answer carries. */
    public Client open(String namespace, String authJson) {
        RawWebSocket ws = RawWebSocket.connect(webSocketUri("/socket.io/?EIO=4&transport=websocket"));
        ws.nextText();
        String prefix = namespace.equals("/") ? "" : namespace + ",";
        ws.sendText("40" + prefix + (authJson == null ? "" : authJson));
        String answer = ws.nextText();
        java.util.regex.Matcher sid = java.util.regex.Pattern.compile("\\{\"sid\":\"([^\"]+)\"}").matcher(answer);
        if (!answer.startsWith("40" + prefix) || !sid.find()) {
            throw new AssertionError("connect to " + namespace + " refused: " + answer);
        }
        return new Client(ws, sid.group(1));
    }

    /** A raw WebSocket connected to {@code namespace} with an optional auth payload (JSON), past the CONNECT. */
    public RawWebSocket connect(String namespace, String authJson) {
        return open(namespace, authJson).ws();
    }

    @Override
    public void close() {
        node.stop();
    }
}
