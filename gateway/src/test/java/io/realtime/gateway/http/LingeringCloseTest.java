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
    private static TestNode node;

    @BeforeAll
    static void start() {
        node = TestNode.start("--maxHttpBufferSize=" + LIMIT);
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

    private static String readAll(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
}
