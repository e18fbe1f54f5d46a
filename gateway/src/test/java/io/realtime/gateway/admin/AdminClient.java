package io.realtime.gateway.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.realtime.gateway.testing.ProductNode;
import io.realtime.gateway.testing.RawWebSocket;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;



/**
 * A raw Socket.IO client of the admin namespace, as the UI speaks it: connects with a handshake {@code auth}, then
 * records every event ({@code 42/admin,[name, ...args]}) the node sends, answering pings.
 */
final class AdminClient implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();

    private final RawWebSocket ws;
    private final String namespace;
    private final List<JsonNode> events = new CopyOnWriteArrayList<>();
    /** Every other text the node sent (pings and the admin namespace's own packets aside). */
    private final List<String> otherTexts = new CopyOnWriteArrayList<>();
    private final Thread reader;
    private volatile String connectAnswer;
    private volatile boolean closed;

    private AdminClient(ProductNode node, String namespace, String authJson) {
        this.namespace = namespace;
        ws = RawWebSocket.connect(node.webSocketUri("/socket.io/?EIO=4&transport=websocket"));
        ws.nextText();
        ws.sendText("40" + namespace + "," + authJson);
        reader = new Thread(this::read, "admin-client");
        reader.setDaemon(true);
        reader.start();
    }

    /** Sends the CONNECT and returns once it is answered (connected or refused). */
    static AdminClient connect(ProductNode node, String authJson) {
        return connect(node, "/admin", authJson);
    }

    /** Sends the CONNECT and returns at once: {@link #connectAnswer} is null until the node answers. */
    static AdminClient start(ProductNode node, String authJson) {
        return new AdminClient(node, "/admin", authJson);
    }

    static AdminClient connect(ProductNode node, String namespace, String authJson) {
        AdminClient client = new AdminClient(node, namespace, authJson);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> client.connectAnswer != null);
        return client;
    }

    /** {@code 40/admin,{"sid":...}} or {@code 44/admin,{"message":...}}. */
    String connectAnswer() {
        return connectAnswer;
    }

    boolean isConnected() {
        return connectAnswer != null && connectAnswer.startsWith("40");
    }

    private void read() {
        String prefix = "42" + namespace + ",";
        while (!closed) {
            String text;
            try {
                text = ws.nextText();
            } catch (AssertionError quiet) {
                continue;
            }
            if (text.equals("2")) {
                ws.sendText("3");
            } else if (text.startsWith("40" + namespace) || text.startsWith("44" + namespace)) {
                connectAnswer = text;
            } else if (text.startsWith(prefix)) {
                try {
                    events.add(JSON.readTree(text.substring(prefix.length())));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            } else {
                otherTexts.add(text);
            }
        }
    }

    /** Sends a raw Socket.IO packet on this connection, e.g. a CONNECT to another namespace ({@code 40/chat,}). */
    void sendRaw(String packet) {
        ws.sendText(packet);
    }

    /** The first text, other than the admin namespace's packets, that matches, waiting up to 10 s. */
    String awaitOther(Predicate<String> matches) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> otherTexts.stream().anyMatch(matches));
        return otherTexts.stream().filter(matches).findFirst().orElseThrow();
    }

    void send(Object... eventAndArgs) {
        try {
            ws.sendText("42" + namespace + "," + JSON.writeValueAsString(eventAndArgs));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The arguments of the first event {@code name} whose arguments match, waiting up to 10 s. */
    JsonNode await(String name, Predicate<JsonNode> args) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> find(name, args).isPresent());
        return find(name, args).orElseThrow();
    }

    /** Where the first event {@code name} whose arguments match came among all events received; -1 if none came. */
    int indexOf(String name, Predicate<JsonNode> args) {
        List<JsonNode> received = List.copyOf(events);
        for (int i = 0; i < received.size(); i++) {
            JsonNode event = received.get(i);
            if (event.get(0).asText().equals(name)) {
                com.fasterxml.jackson.databind.node.ArrayNode rest = JSON.createArrayNode();
                for (int j = 1; j < event.size(); j++) {
                    rest.add(event.get(j));
                }
                if (args.test(rest)) {
                    return i;
                }
            }
        }
        return -1;
    }

    Optional<JsonNode> find(String name, Predicate<JsonNode> args) {
        return all(name, args).stream().findFirst();
    }

    /** The arguments of every event {@code name} received so far whose arguments match, in the order received. */
    List<JsonNode> all(String name, Predicate<JsonNode> args) {
        return events.stream().filter(e -> e.get(0).asText().equals(name))
                .map(e -> {
                    com.fasterxml.jackson.databind.node.ArrayNode rest = JSON.createArrayNode();
                    for (int i = 1; i < e.size(); i++) {
                        rest.add(e.get(i));
                    }
                    return (JsonNode) rest;
                })
                .filter(args).toList();
    }

    @Override
    public void close() {
        closed = true;
        ws.close();
    }
}
