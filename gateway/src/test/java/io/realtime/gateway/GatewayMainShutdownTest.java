package io.realtime.gateway;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code java GatewayMain} receiving SIGTERM while its node is still starting: the shutdown hook is there already,
 * waits for the start, then drains and stops the node, rather than the JVM ending under a start half done (or a node
 * that just started, without its drain). The start is held where it reads the TLS keystore, a named pipe the test
 * writes to once the signal has been taken.
 */
class GatewayMainShutdownTest {

    @Test
    void aSigtermDuringTheStartDrainsAndStopsTheNodeOnceStarted(@TempDir Path dir) throws Exception {
        Path keystore = dir.resolve("gateway.p12");
        run("keytool", "-genkeypair", "-alias", "gateway", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=127.0.0.1", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", "changeit", "-keypass", "changeit");
        Path pipe = dir.resolve("keystore.pipe");
        run("mkfifo", pipe.toString());
        Path log = dir.resolve("node.log");

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                GatewayMain.class.getName(), "--host=127.0.0.1", "--managementHost=127.0.0.1", "--port=0",
                "--managementPort=0", "--drainWindow=0")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("TLS_KEYSTORE_FILE", pipe.toString());
        builder.environment().put("TLS_KEYSTORE_PASSWORD", "changeit");
        Process node = builder.start();
        // Opening the pipe to write returns once the node opens it to read: its start is under way, held there.
        CompletableFuture<OutputStream> writer = CompletableFuture.supplyAsync(() -> {
            try {
                return Files.newOutputStream(pipe);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try {
            OutputStream keystoreWriter;
            try {
                keystoreWriter = writer.get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new AssertionError("the node did not read its keystore: " + Files.readString(log), e);
            }
            node.destroy(); // SIGTERM
            await().atMost(Duration.ofSeconds(10)).until(() -> !node.isAlive()
                    || Files.readString(log).contains("Shutdown requested"));
            try (keystoreWriter) {
                keystoreWriter.write(Files.readAllBytes(keystore));
            } catch (IOException gone) {
                // The JVM ended with the signal: nobody reads the pipe.
            }

            assertThat(node.waitFor(30, TimeUnit.SECONDS)).as("the node exited").isTrue();
            String output = Files.readString(log);
            assertThat(output).as("the node's log").contains("Shutdown requested", "Draining:", "Socket.IO server stopped");
            assertThat(output.indexOf("serving Socket.IO")).as("started, then drained")
                    .isPositive().isLessThan(output.indexOf("Draining:"));
        } finally {
            node.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            if (!writer.isDone()) {
                // Unblocks the writer's open should the node never have opened the pipe.
                try (InputStream unblock = Files.newInputStream(pipe)) {
                    writer.get(5, TimeUnit.SECONDS).close();
                } catch (Exception ignored) {
                    // best effort
                }
            }
        }
    }

    private static void run(String... command) throws Exception {
        Process process = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(command[0]).isTrue();
        assertThat(process.exitValue()).as(command[0] + ": " + output).isZero();
    }
}
