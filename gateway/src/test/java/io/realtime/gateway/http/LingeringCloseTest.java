package io.realtime.gateway.http;

import io.realtime.gateway.testing.TestNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A body too large is refused before it has all arrived: the client, still sending, must read the 413, not a reset
 * (which the kernel sends for bytes that reach a closed socket, dropping the answer the client had not read yet).
 */
class LingeringCloseTest {

    private static final int LIMIT = 100_000;
    private static final int REQUEST_TIMEOUT_MILLIS = 300;
    private static TestNode node;

    @BeforeAll
    static void start() {
        node = TestNode.start("--maxHttpBufferSize=" + LIMIT, "--requestTimeout=" + REQUEST_TIMEOUT_MILLIS);
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void aClientStillSendingItsBodyReadsThe413() throws IOException {
        for (int attempt = 0; attempt < 5; attempt++) {
            int length = 40 * LIMIT;
            try (Socket socket = new Socket("127.0.0.1", node.port())) {
                socket.setSoTimeout(10_000);
                OutputStream out = socket.getOutputStream();
                out.write(("POST /socket.io/?EIO=4&transport=polling&sid=unknown HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        + "Content-Type: text/plain;charset=UTF-8\r\nContent-Length: " + length + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                byte[] chunk = new byte[8_192];
                Arrays.fill(chunk, (byte) 'x');
                // The answer comes after the first LIMIT bytes; the rest goes on arriving after it.
                try {
                    for (int sent = 0; sent < length; sent += chunk.length) {
                        out.write(chunk);
                    }
                    out.flush();
                } catch (IOException refused) {
                    // As a browser does when the server stops reading: it goes on to read the answer.
                }

                String answer = readAll(socket.getInputStream());
                assertThat(answer).as("attempt " + attempt).startsWith("HTTP/1.1 413").containsIgnoringCase("connection: close")
                        .endsWith("{\"code\":3,\"message\":\"Payload too large\"}");
            }
        }
    }

    /**
     * The request's deadline, armed at its first byte, falls while the connection lingers: it must leave the close to
     * the lingering, or the client still sending reads a reset again.
     */
    @Test
    void theRequestDeadlineDoesNotCutTheLingerShort() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", node.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            int length = 10 * LIMIT;
            out.write(("POST /socket.io/?EIO=4&transport=polling&sid=unknown HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Type: text/plain;charset=UTF-8\r\nContent-Length: " + length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = new byte[LIMIT / 10];
            Arrays.fill(chunk, (byte) 'x');
            long start = System.nanoTime();
            try {
                // Past the limit at once (the 413 goes out), then slowly on, beyond the request's deadline.
                for (int sent = 0; sent < length; sent += chunk.length) {
                    out.write(chunk);
                    out.flush();
                    if (sent > 2 * LIMIT) {
                        java.util.concurrent.locks.LockSupport.parkNanos(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(50));
                    }
                }
            } catch (IOException refused) {
                // Read the answer all the same.
            }
            assertThat(java.time.Duration.ofNanos(System.nanoTime() - start)).as("still sending past the deadline")
                    .isGreaterThan(java.time.Duration.ofMillis(2 * REQUEST_TIMEOUT_MILLIS));

            assertThat(readAll(socket.getInputStream())).startsWith("HTTP/1.1 413");
        }
    }

    private static String readAll(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
}
