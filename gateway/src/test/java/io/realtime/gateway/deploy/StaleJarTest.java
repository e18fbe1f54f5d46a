package io.realtime.gateway.deploy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The local cluster and the image both run gateway/target/gateway.jar: one older than the sources would run old code
 * without a word, so both refuse it with the same check (deploy/lib/gateway-jar.sh).
 */
class StaleJarTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    /**
     * cluster.sh in a copy of the repository's layout whose jar is older than a source: "up" refuses before it starts
     * anything (no Redis, no node) and names the newer file.
     */
    @Test
    void theLocalClusterRefusesAJarOlderThanItsSources(@TempDir Path copy) throws Exception {
        copyFromRepository(copy, "deploy/local/cluster.sh");
        copyFromRepository(copy, "deploy/lib/gateway-jar.sh");
        Instant built = Instant.now().minusSeconds(3600);
        for (String file : new String[] {"pom.xml", "gateway/pom.xml", "redis-adapter/pom.xml", "gateway/target/gateway.jar"}) {
            writeAt(copy.resolve(file), built);
        }
        writeAt(copy.resolve("gateway/src/main/java/Changed.java"), built.plusSeconds(60));

        ProcessBuilder command = new ProcessBuilder("bash", copy.resolve("deploy/local/cluster.sh").toString(), "up")
                .redirectErrorStream(true).directory(copy.toFile());
        // Free ports of its own, should a regression start something: never a developer's running local cluster.
        command.environment().put("REDIS_PORT", String.valueOf(freePort()));
        command.environment().put("LB_PORT", String.valueOf(freePort()));
        command.environment().put("NODE_PORTS", freePort() + " " + freePort() + " " + freePort());
        command.environment().put("MANAGEMENT_PORTS", freePort() + " " + freePort() + " " + freePort());
        Process up = command.start();
        up.getOutputStream().close();
        boolean ended = up.waitFor(30, TimeUnit.SECONDS);
        if (!ended) {
            up.destroyForcibly();
        }
        String output = new String(up.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(ended).as("cluster.sh up ended").isTrue();
        assertThat(up.exitValue()).as(output).isEqualTo(1);
        assertThat(output).contains("gateway.jar is older than gateway/src/main/java/Changed.java").contains("REBUILD=1");
        assertThat(copy.resolve("deploy/local/.run/redis.pid")).as("nothing started").doesNotExist();
    }

    @Test
    void theImageBuildUsesTheSameCheck() throws Exception {
        assertThat(Files.readString(ROOT.resolve("deploy/image/build.sh"))).contains(". \"$root/deploy/lib/gateway-jar.sh\"")
                .contains("gateway_jar_ensure \"$root\" \"$jar\"");
    }

    private static int freePort() throws Exception {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void copyFromRepository(Path copy, String file) throws Exception {
        Files.createDirectories(copy.resolve(file).getParent());
        Files.copy(ROOT.resolve(file), copy.resolve(file));
    }

    private static void writeAt(Path file, Instant time) throws Exception {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "");
        Files.setLastModifiedTime(file, FileTime.from(time));
    }
}
