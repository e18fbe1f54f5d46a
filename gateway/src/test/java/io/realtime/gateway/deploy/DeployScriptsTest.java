package io.realtime.gateway.deploy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The deploy scripts' own logic: which processes cluster.sh takes for its own, when a jar is stale, build.sh's copies. */
class DeployScriptsTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    /**
     * Pid files in deploy/local/.run outlive a reboot, after which their pids may be other processes': cluster.sh takes
     * a pid for its own only when the process' command line is the one the file is for (the jar for a node,
     * redis-server on its port, haproxy with its configuration), so "down" never signals a stranger and "up" starts
     * what is missing.
     */
    @Test
    void theLocalClusterTakesOnlyItsOwnProcessesForRunning(@TempDir Path run) throws Exception {
        int redisPort = freePort();
        List<Process> processes = new ArrayList<>();
        try {
            Process stranger = start(processes, "sleep 60");
            Process redis = start(processes, "exec -a 'redis-server 127.0.0.1:" + redisPort + "' sleep 60");
            Process node = start(processes, "bash -c 'sleep 60; :' -- -jar " + ROOT.resolve("gateway/target/gateway.jar"));
            await().atMost(10, TimeUnit.SECONDS).until(() -> commandLine(redis).startsWith("redis-server")
                    && commandLine(node).contains("-jar"));
            Files.writeString(run.resolve("haproxy.pid"), stranger.pid() + "\n");
            Files.writeString(run.resolve("redis.pid"), redis.pid() + "\n");
            Files.writeString(run.resolve("node-1.pid"), stranger.pid() + "\n");
            Files.writeString(run.resolve("node-2.pid"), node.pid() + "\n");

            ProcessBuilder command = new ProcessBuilder("bash", ROOT.resolve("deploy/local/cluster.sh").toString(), "status")
                    .redirectErrorStream(true);
            command.environment().put("RUN_DIR", run.toString());
            command.environment().put("REDIS_PORT", String.valueOf(redisPort));
            command.environment().put("LB_PORT", String.valueOf(freePort()));
            command.environment().put("NODE_PORTS", freePort() + " " + freePort());
            command.environment().put("MANAGEMENT_PORTS", freePort() + " " + freePort());
            Process status = command.start();
            status.getOutputStream().close();
            assertThat(status.waitFor(30, TimeUnit.SECONDS)).as("cluster.sh status ended").isTrue();
            String output = new String(status.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

            assertThat(output).as(output)
                    .containsPattern("(?m)^haproxy +down$")
                    .containsPattern("(?m)^redis +up on 127.0.0.1:" + redisPort + "$")
                    .containsPattern("(?m)^node-1 +down$")
                    .containsPattern("(?m)^node-2 +pid " + node.pid() + ",");
            assertThat(stranger.isAlive()).isTrue();
        } finally {
            for (Process process : processes) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** A deleted (or renamed) source leaves no newer file behind: its directory's change still makes the jar stale. */
    @Test
    void aDeletedSourceMakesTheJarStale(@TempDir Path copy) throws Exception {
        Files.createDirectories(copy.resolve("deploy/lib"));
        Files.copy(ROOT.resolve("deploy/lib/gateway-jar.sh"), copy.resolve("deploy/lib/gateway-jar.sh"));
        Instant built = Instant.now().minusSeconds(3600);
        for (String file : new String[] {"pom.xml", "gateway/pom.xml", "redis-adapter/pom.xml",
                "gateway/src/main/java/Kept.java", "gateway/src/main/java/Removed.java", "redis-adapter/src/main/java/A.java"}) {
            Files.createDirectories(copy.resolve(file).getParent());
            Files.writeString(copy.resolve(file), "");
        }
        try (Stream<Path> paths = Files.walk(copy)) {
            for (Path path : paths.toList()) {
                Files.setLastModifiedTime(path, FileTime.from(built.minusSeconds(60)));
            }
        }
        Files.createDirectories(copy.resolve("gateway/target"));
        Files.writeString(copy.resolve("gateway/target/gateway.jar"), "");
        Files.setLastModifiedTime(copy.resolve("gateway/target/gateway.jar"), FileTime.from(built));

        assertThat(stale(copy)).as("nothing changed since the jar").isEmpty();
        Files.delete(copy.resolve("gateway/src/main/java/Removed.java"));
        assertThat(stale(copy)).isEqualTo(copy.resolve("gateway/src/main/java").toString());
    }

    /** coreutils 9.2 to 9.4 make cp -n exit 1 when it skips a file, which ends build.sh (set -e, pipefail). */
    @Test
    void theImageBuildDoesNotCopyWithNoClobber() throws Exception {
        assertThat(Files.readAllLines(ROOT.resolve("deploy/image/build.sh")))
                .noneMatch(line -> Pattern.compile("^\\s*[^#]*\\bcp\\s+(\\S+\\s+)*-[A-Za-z]*n[A-Za-z]*\\s").matcher(line).find())
                .anyMatch(line -> line.contains("[ -e \"$work/rootfs$library\" ] || cp -L"));
    }

    private static String stale(Path copy) throws Exception {
        Process process = new ProcessBuilder("bash", "-c", ". \"$1/deploy/lib/gateway-jar.sh\" && gateway_jar_stale \"$1\" \"$1/gateway/target/gateway.jar\"",
                "stale", copy.toString()).redirectErrorStream(true).start();
        process.getOutputStream().close();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    }

    private static Process start(List<Process> processes, String script) throws Exception {
        Process process = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        processes.add(process);
        return process;
    }

    private static String commandLine(Process process) throws Exception {
        return String.join(" ", Files.readString(Path.of("/proc", String.valueOf(process.pid()), "cmdline")).split("\0"));
    }

    private static int freePort() throws Exception {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
