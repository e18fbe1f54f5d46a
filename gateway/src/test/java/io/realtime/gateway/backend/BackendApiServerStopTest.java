package io.realtime.gateway.backend;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.util.concurrent.EventExecutor;
import io.realtime.gateway.api.Validators;
import io.realtime.gateway.broadcast.ServerPush;
import io.realtime.gateway.health.NodeHealth;
import io.realtime.gateway.metrics.GatewayMetrics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The internal port leaves no accepted connection open once closed, even when its loop is busy at that moment: a
 * backend service's pooled keep-alive connection left open is one nobody reads, and its next request on it hangs.
 */
class BackendApiServerStopTest {

    private static final Duration PROMPTLY = Duration.ofSeconds(2);

    private final ExecutorService readers = Executors.newCachedThreadPool();
    private final List<Socket> sockets = new ArrayList<>();
    private final GatewayMetrics metrics = new GatewayMetrics();

    @AfterEach
    void closeClients() throws IOException {
        readers.shutdownNow();
        for (Socket socket : sockets) {
            socket.close();
        }
        metrics.close();
    }

    @Test
    void aServerWhoseLoopIsBusyClosesEveryConnectionWhenItStops() throws IOException {
        BackendApiServer api = BackendApiServer.start("127.0.0.1", 0, 1000, null, new ServerPush((target, event, args) -> { }),
                new ObjectMapper(), Validators.create(), null, new NodeHealth(null, null), metrics, Duration.ZERO);
        Map<String, CompletableFuture<String>> connections = new LinkedHashMap<>();
        try {
            int port = api.localAddress().getPort();
            connections.put("accepted, nothing sent", watch(connect(port)));

            Socket idle = connect(port);
            send(idle, "GET /api/v1/nothing HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assertThat(readSome(idle)).startsWith("HTTP/1.1 404").doesNotContainIgnoringCase("connection: close");
            connections.put("idle keep-alive", watch(idle));

            Socket halfSent = connect(port);
            send(halfSent, "POST /api/v1/data HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 10\r\n\r\n[1");
            connections.put("body half sent", watch(halfSent));

            for (EventExecutor loop : api.eventLoops()) {
                keepBusy(loop);
            }
        } finally {
            api.close();
        }

        await().atMost(PROMPTLY).untilAsserted(() -> assertThat(connections)
                .allSatisfy((kind, ended) -> assertThat(ended).as(kind + ": still open").isDone()));
        assertThat(connections).allSatisfy((kind, ended) -> assertThat(ended.join()).as(kind + ": read timed out").isNotNull());
    }

    private Socket connect(int port) throws IOException {
        Socket socket = new Socket();
        sockets.add(socket);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        socket.setSoTimeout(2000);
        return socket;
    }

    private static void send(Socket socket, String request) throws IOException {
        socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
    }

    /** What one read returns: a whole short answer on loopback. */
    private static String readSome(Socket socket) throws IOException {
        byte[] buffer = new byte[4096];
        int read = socket.getInputStream().read(buffer);
        return read < 0 ? "" : new String(buffer, 0, read, StandardCharsets.UTF_8);
    }

    /** Completes with what the connection read once the server closes (or resets) it; never while it is open. */
    private CompletableFuture<String> watch(Socket socket) {
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

    /** Keeps a loop running tasks, without ever blocking it, until it is told to shut down. */
    private static void keepBusy(EventExecutor loop) {
        loop.execute(() -> {
            if (!loop.isShuttingDown()) {
                keepBusy(loop);
            }
        });
    }
}
