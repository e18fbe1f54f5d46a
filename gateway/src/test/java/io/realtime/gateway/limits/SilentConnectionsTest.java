package io.realtime.gateway.limits;

import io.realtime.gateway.testing.ProductNode;
import io.realtime.gateway.testing.RawWebSocket;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Outside in: 1,000 connections that say nothing or send their headers a byte at a time are all closed by the node
 * within REQUEST_TIMEOUT, while a real client connects and talks as usual, and the process's file descriptors come
 * back to where they were.
 */
class SilentConnectionsTest {

    private static final int CONNECTIONS = 1_000;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(2);
    /** Scheduling on a busy 2-core machine: how late a close may come past the deadline. */
    private static final Duration SLACK = Duration.ofSeconds(8);

    @Test
    void silentAndSlowlorisConnectionsAreClosedInTimeWhileARealClientChats() throws Exception {
        try (ProductNode node = ProductNode.start(Map.of(), "--requestTimeout=" + REQUEST_TIMEOUT.toMillis(),
                "--idleConnectionTimeout=" + REQUEST_TIMEOUT.toMillis(), "--eventRate=0")) {
            int port = node.node().socketIoAddress().getPort();
            try (RawWebSocket warmUp = node.connect("/", null)) {
                assertThat(echo(warmUp, 0)).isTrue();
            }
            long baseline = openFiles();

            List<Socket> attackers = new ArrayList<>();
            long opened;
            try (RawWebSocket client = node.connect("/", null)) {
                long start = System.nanoTime();
                for (int i = 0; i < CONNECTIONS; i++) {
                    Socket socket = new Socket();
                    socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                    socket.setSoTimeout(1);
                    if (i % 2 == 1) {
                        socket.getOutputStream().write("GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n"
                                .getBytes(StandardCharsets.US_ASCII));
                    }
                    attackers.add(socket);
                }
                opened = System.nanoTime() - start;
                // Slowloris: one more header byte every 200 ms from every other connection, until the node hangs up.
                long trickleUntil = System.nanoTime() + REQUEST_TIMEOUT.plus(SLACK).toNanos();
                int sent = 0;
                while (System.nanoTime() < trickleUntil && !allClosed(attackers)) {
                    for (int i = 1; i < attackers.size(); i += 2) {
                        trickle(attackers.get(i));
                    }
                    assertThat(echo(client, ++sent)).as("the real client is served meanwhile").isTrue();
                    Thread.sleep(200);
                }
                long elapsed = System.nanoTime() - start;
                assertThat(allClosed(attackers)).as("every silent or slow connection closed by the node").isTrue();
                assertThat(Duration.ofNanos(elapsed)).isLessThan(Duration.ofNanos(opened).plus(REQUEST_TIMEOUT).plus(SLACK));

                // The WebSocket outlives both deadlines: the heartbeat is what bounds it.
                assertThat(echo(client, 10_000)).isTrue();
            } finally {
                attackers.forEach(SilentConnectionsTest::close);
            }
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(openFiles()).as("file descriptors back to the baseline").isLessThanOrEqualTo(baseline + 5));
        }
    }

    private static boolean echo(RawWebSocket client, int n) {
        client.sendText("42" + n + "[\"events\",{\"n\":" + n + "}]");
        return client.nextTextSkippingPings().equals("43" + n + "[{\"n\":" + n + "}]");
    }

    private static void trickle(Socket socket) {
        try {
            socket.getOutputStream().write('X');
        } catch (IOException closed) {
            // the node hung up: what we wait for
        }
    }

    /** Whether the node has closed every socket: each reads end of stream (or a reset). */
    private static boolean allClosed(List<Socket> sockets) {
        for (Socket socket : sockets) {
            try {
                if (socket.getInputStream().read() != -1) {
                    return false;
                }
            } catch (java.net.SocketTimeoutException stillOpen) {
                return false;
            } catch (IOException reset) {
                // closed
            }
        }
        return true;
    }

    private static void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    private static long openFiles() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("/proc/self/fd"))) {
            return files.count();
        }
    }
}
