package io.realtime.gateway.clients;

import io.socket.client.Ack;
import io.socket.client.IO;
import io.socket.client.Manager;
import io.socket.client.Socket;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One socket.io-client-java socket, made blocking for tests: every event it receives is queued per name, acks are
 * awaited with a bound. The client runs its callbacks on its own event thread; nothing here blocks that thread.
 */
final class JavaClient implements AutoCloseable {

    /** The transports a client may be given, as in its {@code transports} option. */
    enum Mode {
        WEBSOCKET("websocket"), POLLING("polling"), POLLING_THEN_UPGRADE("polling", "websocket");

        final String[] transports;

        Mode(String... transports) {
            this.transports = transports;
        }

        /** The transport a connection in this mode ends up on. */
        String settled() {
            return transports[transports.length - 1];
        }
    }

    private static final long WAIT_SECONDS = 5;

    private final Socket socket;
    private final Map<String, BlockingQueue<Object[]>> received = new ConcurrentHashMap<>();
    private final List<String> disconnectReasons = new CopyOnWriteArrayList<>();
    private final List<String> connectErrors = new CopyOnWriteArrayList<>();

    private JavaClient(Socket socket) {
        this.socket = socket;
        socket.onAnyIncoming(args -> queue((String) args[0]).add(java.util.Arrays.copyOfRange(args, 1, args.length)));
        socket.on(Socket.EVENT_CONNECT, args -> queue(Socket.EVENT_CONNECT).add(args));
        socket.on(Socket.EVENT_DISCONNECT, args -> disconnectReasons.add(String.valueOf(args[0])));
        socket.on(Socket.EVENT_CONNECT_ERROR, args -> connectErrors.add(String.valueOf(args[0])));
    }

    /** Options with no reconnection unless asked for; {@code auth} is the handshake's auth payload. */
    static IO.Options options(Mode mode, Map<String, String> auth, boolean reconnection) {
        IO.Options options = IO.Options.builder()
                .setForceNew(true)
                .setTransports(mode.transports)
                .setUpgrade(mode == Mode.POLLING_THEN_UPGRADE)
                .setReconnection(reconnection)
                .setReconnectionDelay(100)
                .setReconnectionDelayMax(300)
                .setRandomizationFactor(0)
                .setTimeout(5000)
                .build();
        options.auth = auth;
        return options;
    }

    /** A new connection to {@code namespace} of {@code server} (not yet connected). */
    static JavaClient create(URI server, String namespace, IO.Options options) {
        return new JavaClient(IO.socket(server.resolve(namespace), options));
    }

    /** Another namespace over this client's connection (socket.io's multiplexing), with its own auth. */
    JavaClient namespace(String namespace, Map<String, String> auth) {
        Manager.Options options = new Manager.Options();
        options.auth = auth;
        return new JavaClient(socket.io().socket(namespace, options));
    }

    /** Connects and waits for the server's answer. */
    JavaClient connected() {
        socket.connect();
        next(Socket.EVENT_CONNECT);
        return this;
    }

    Socket socket() {
        return socket;
    }

    String id() {
        return socket.id();
    }

    /**
     * The name of the transport the connection uses now ({@code polling} or {@code websocket}), or {@code null}
     * while there is none. The client does not expose it, hence the reflection (its fields are package-private).
     */
    String transport() {
        try {
            java.lang.reflect.Field engineField = Manager.class.getDeclaredField("engine");
            engineField.setAccessible(true);
            Object engine = engineField.get(socket.io());
            if (engine == null) {
                return null;
            }
            java.lang.reflect.Field transportField = io.socket.engineio.client.Socket.class.getDeclaredField("transport");
            transportField.setAccessible(true);
            io.socket.engineio.client.Transport transport = (io.socket.engineio.client.Transport) transportField.get(engine);
            return transport == null ? null : transport.name;
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("socket.io-client-java changed its internals", e);
        }
    }

    List<String> disconnectReasons() {
        return disconnectReasons;
    }

    List<String> connectErrors() {
        return connectErrors;
    }

    void emit(String event, Object... args) {
        socket.emit(event, args);
    }

    /** Emits with an ack request and returns the ack's arguments. */
    Object[] ack(String event, Object... args) {
        CompletableFuture<Object[]> answer = new CompletableFuture<>();
        socket.emit(event, args, (Ack) answer::complete);
        try {
            return answer.get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("no ack for '" + event + "' within " + WAIT_SECONDS + " s", e);
        }
    }

    /** The arguments of the next {@code event} received (in order of arrival). */
    Object[] next(String event) {
        try {
            Object[] args = queue(event).poll(WAIT_SECONDS, TimeUnit.SECONDS);
            if (args == null) {
                throw new AssertionError("no '" + event + "' within " + WAIT_SECONDS + " s; connect errors: " + connectErrors);
            }
            return args;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Forgets what was received of {@code event} so far. */
    void clear(String event) {
        queue(event).clear();
    }

    private BlockingQueue<Object[]> queue(String event) {
        return received.computeIfAbsent(event, name -> new LinkedBlockingQueue<>());
    }

    @Override
    public void close() {
        socket.io().reconnection(false);
        socket.disconnect();
    }
}
