package io.realtime.gateway.clients;

import io.realtime.gateway.clients.JavaClient.Mode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The same client against a plain Node.js socket.io server ({@code compat/clients/node-server.js}) with the same
 * short heartbeats: when the server closes every connection, socket.io-client-java over WebSocket notices only by
 * the missing pings ("ping timeout"), and over long-polling at once, as with our node
 * ({@link JavaClientReconnectionTest}). The quirk is the client's, not the server's.
 */
class JavaClientQuirkOnNodeJsTest {

    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"WEBSOCKET", "POLLING"})
    void closedConnectionsAreNoticedAsWithOurNode(Mode mode) throws Exception {
        Path compat = Path.of("..", "compat").toAbsolutePath().normalize();
        assertThat(Files.isDirectory(compat.resolve("node_modules/socket.io")))
                .as("compat/node_modules is installed (npm ci in compat/)").isTrue();
        Process server = new ProcessBuilder("node", "clients/node-server.js",
                String.valueOf(SuiteNodes.PING_INTERVAL), String.valueOf(SuiteNodes.PING_TIMEOUT))
                .directory(compat.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BlockingQueue<String> output = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    output.add(line);
                }
            } catch (java.io.IOException ignored) {
                // the process ended
            }
        }, "node-server-output");
        reader.setDaemon(true);
        reader.start();
        OutputStream control = server.getOutputStream();
        try {
            String ready = output.poll(20, TimeUnit.SECONDS);
            assertThat(ready).as("node-server.js started").startsWith("READY ");
            URI url = URI.create("http://127.0.0.1:" + ready.substring("READY ".length()));
            try (JavaClient client = JavaClient.create(url, "/", JavaClient.options(mode, Map.of(), false)).connected()) {
                assertThat(client.ack("events", "hello")).containsExactly("hello");

                control.write("close\n".getBytes(StandardCharsets.US_ASCII));
                control.flush();
                assertThat(output.poll(5, TimeUnit.SECONDS)).isEqualTo("CLOSED");

                await().atMost(Duration.ofSeconds(5)).until(() -> !client.disconnectReasons().isEmpty());
                if (mode == Mode.WEBSOCKET) {
                    assertThat(client.disconnectReasons()).containsExactly("ping timeout");
                } else {
                    // Node answers the pending poll and then refuses the next one: an error rather than a close,
                    // noticed at once all the same.
                    assertThat(client.disconnectReasons()).hasSize(1).first().isIn("transport close", "transport error");
                }
            }
        } finally {
            control.close();
            if (!server.waitFor(5, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
    }
}
