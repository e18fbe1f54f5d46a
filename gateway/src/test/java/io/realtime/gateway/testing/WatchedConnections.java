package io.realtime.gateway.testing;

import io.netty.util.concurrent.EventExecutor;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Plain TCP connections to a server under test, each left in the state a test puts it in (nothing sent, idle between
 * keep-alive requests, a request half sent) and watched for the server closing it: what the stop tests of the node's
 * ports need. Closing this closes every connection it opened.
 */
public final class WatchedConnections implements AutoCloseable {

    private final ExecutorService readers = Executors.newCachedThreadPool();
    private final List<Socket> sockets = new ArrayList<>();

    /** A connection to 127.0.0.1:{@code port}, its reads timing out after 2 s. */
    public Socket connect(int port) throws IOException {
        Socket socket = new Socket();
        sockets.add(socket);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        socket.setSoTimeout(2000);
        return socket;
    }

    public static void send(Socket socket, String request) throws IOException {
        socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
    }

    /** What one read returns: a whole short answer on loopback. */
    public static String readSome(Socket socket) throws IOException {
        byte[] buffer = new byte[4096];
        int read = socket.getInputStream().read(buffer);
        return read < 0 ? "" : new String(buffer, 0, read, StandardCharsets.UTF_8);
    }

    /**
     * Completes with all the connection has read once the server closes it (or resets it); never while it is open,
     * and with {@code null} if it is still open after 30 s, longer than any test waits.
     */
    public CompletableFuture<String> watch(Socket socket) {
        return CompletableFuture.supplyAsync(() -> {
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            try {
                // Longer than the test waits: a connection left open must not look ended by the reader giving up.
                socket.setSoTimeout(30_000);
                socket.getInputStream().transferTo(received);
            } catch (java.net.SocketTimeoutException stillOpen) {
                return null;
            } catch (IOException reset) {
                // Closed with unread input: as closed as an end of stream.
            }
            return received.toString(StandardCharsets.UTF_8);
        }, readers);
    }

    /**
     * Keeps a loop running tasks, without ever blocking it, until it is told to shut down: a loop busy when its
     * shutdown (quiet period 0) begins ends without closing its channels, which is what the stop tests need to meet.
     */
    public static void keepBusy(EventExecutor loop) {
        loop.execute(() -> {
            if (!loop.isShuttingDown()) {
                keepBusy(loop);
            }
        });
    }

    @Override
    public void close() throws IOException {
        readers.shutdownNow();
        for (Socket socket : sockets) {
            socket.close();
        }
    }
}
