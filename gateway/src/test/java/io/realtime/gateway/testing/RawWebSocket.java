package io.realtime.gateway.testing;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A WebSocket client that records every message as it arrives: {@code String} for text, {@code byte[]} for binary. */
public final class RawWebSocket implements AutoCloseable {

    private final BlockingQueue<Object> messages = new LinkedBlockingQueue<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final WebSocket socket;

    private RawWebSocket(URI uri) {
        socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .buildAsync(uri, new Recorder()).join();
    }

    public static RawWebSocket connect(URI uri) {
        return new RawWebSocket(uri);
    }

    /** The next message, waiting at most 5 seconds; fails the test when none comes. */
    public Object next() {
        try {
            Object message = messages.poll(5, TimeUnit.SECONDS);
            if (message == null) {
                throw new AssertionError("no WebSocket message within 5 s");
            }
            return message;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    public String nextText() {
        Object message = next();
        if (!(message instanceof String text)) {
            throw new AssertionError("expected a text message, got binary");
        }
        return text;
    }

    /** The next text message that is not a heartbeat ping (which it answers). */
    public String nextTextSkippingPings() {
        while (true) {
            String text = nextText();
            if (!text.equals("2")) {
                return text;
            }
            sendText("3");
        }
    }

    public byte[] nextBinary() {
        Object message = next();
        if (!(message instanceof byte[] data)) {
            throw new AssertionError("expected a binary message, got text: " + message);
        }
        return data;
    }

    public void sendText(String text) {
        socket.sendText(text, true).join();
    }

    public void sendBinary(byte[] data) {
        socket.sendBinary(ByteBuffer.wrap(data), true).join();
    }

    /** Completes with the close status code when the server closes the WebSocket (or -1 on error). */
    public CompletableFuture<Integer> closed() {
        return closed;
    }

    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "").exceptionally(e -> null);
        }
        socket.abort();
    }

    private final class Recorder implements WebSocket.Listener {
        private final StringBuilder text = new StringBuilder();
        private final ByteArrayOutputStream binary = new ByteArrayOutputStream();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                messages.add(text.toString());
                text.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            byte[] chunk = new byte[data.remaining()];
            data.get(chunk);
            binary.writeBytes(chunk);
            if (last) {
                messages.add(binary.toByteArray());
                binary.reset();
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(-1);
        }
    }
}
