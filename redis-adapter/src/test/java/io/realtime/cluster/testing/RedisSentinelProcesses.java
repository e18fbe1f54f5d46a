package io.realtime.cluster.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A Sentinel-managed Redis of its own for a test: a primary and a replica ({@code redis-server}) and three
 * sentinels ({@code redis-server --sentinel}, quorum 2, a primary is down after 1 s), all on free ports of
 * 127.0.0.1. Ready when every sentinel knows the primary, the replica and the two other sentinels.
 */
public final class RedisSentinelProcesses implements AutoCloseable {

    public static final String MASTER_NAME = "mymaster";
    private static final Duration READY_WITHIN = Duration.ofSeconds(30);

    private final Path dir;
    private final Map<Integer, Process> processes = new ConcurrentHashMap<>();
    private final int primary;
    private final int replica;
    private final List<Integer> sentinels;
    /** Of the primary, the replica and the Sentinels alike; null: none asks for one. */
    private final String password;

    private RedisSentinelProcesses(Path dir, int primary, int replica, List<Integer> sentinels, String password) {
        this.dir = dir;
        this.password = password;
        this.primary = primary;
        this.replica = replica;
        this.sentinels = sentinels;
    }

    public static RedisSentinelProcesses start() {
        return start(null);
    }

    /** A setup whose primary, replica and Sentinels all ask for {@code password} ({@code requirepass}). */
    public static RedisSentinelProcesses start(String password) {
        String server = RedisFixture.redisServerBinary();
        if (server == null) {
            throw new IllegalStateException("a Sentinel setup for the tests needs redis-server (apt-get install redis-server)");
        }
        Path dir;
        try {
            dir = Files.createTempDirectory("redis-sentinel-");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        List<Integer> ports = freePorts(5);
        RedisSentinelProcesses setup = new RedisSentinelProcesses(dir, ports.get(0), ports.get(1), ports.subList(2, 5), password);
        List<String> auth = password == null ? List.of() : List.of("--requirepass", password, "--masterauth", password);
        try {
            setup.startServer(server, setup.primary, auth);
            List<String> replicaOf = new ArrayList<>(auth);
            replicaOf.addAll(List.of("--replicaof", "127.0.0.1", Integer.toString(setup.primary)));
            setup.startServer(server, setup.replica, replicaOf);
            for (int port : setup.sentinels) {
                Path config = dir.resolve("sentinel-" + port + ".conf");
                Files.writeString(config, String.join("\n",
                        "port " + port,
                        "bind 127.0.0.1",
                        "protected-mode no",
                        "dir " + dir,
                        "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + setup.primary + " 2",
                        "sentinel down-after-milliseconds " + MASTER_NAME + " 1000",
                        "sentinel failover-timeout " + MASTER_NAME + " 5000",
                        "sentinel parallel-syncs " + MASTER_NAME + " 1",
                        password == null ? "" : "requirepass " + password,
                        password == null ? "" : "sentinel auth-pass " + MASTER_NAME + " " + password,
                        password == null ? "" : "sentinel sentinel-pass " + password, ""));
                setup.startProcess(port, List.of(server, config.toString(), "--sentinel"));
            }
            setup.awaitReady();
            return setup;
        } catch (IOException | RuntimeException e) {
            setup.close();
            throw e instanceof RuntimeException runtime ? runtime : new IllegalStateException(e);
        }
    }

    /** lettuce's Sentinel URI of this setup (with the primary's password, if any). */
    public String uri() {
        return "redis-sentinel://" + (password == null ? "" : ":" + password + "@") + sentinels.stream().map(port -> "127.0.0.1:" + port).collect(Collectors.joining(","))
                + "#" + MASTER_NAME;
    }

    public int primaryPort() {
        return primary;
    }

    public int replicaPort() {
        return replica;
    }

    /** The port of the primary as the first sentinel sees it now. */
    public int currentPrimaryPort() {
        String[] lines = cli(sentinels.get(0), "SENTINEL", "get-master-addr-by-name", MASTER_NAME).trim().split("\\R");
        return lines.length == 2 ? Integer.parseInt(lines[1].trim()) : -1;
    }

    /** Kills a Redis (SIGKILL), as a crash would. */
    public void kill(int port) {
        Process process = processes.remove(port);
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void startServer(String server, int port, List<String> more) {
        List<String> command = new ArrayList<>(List.of(server, "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--protected-mode", "no", "--dir", dir.toString()));
        command.addAll(more);
        startProcess(port, command);
    }

    private void startProcess(int port, List<String> command) {
        processes.put(port, RedisProcess.start(port, command, dir.resolve("redis-" + port + ".log").toFile()));
    }

    private void awaitReady() {
        RedisProcess.awaitCondition(() -> sentinels.stream().allMatch(port -> {
            String info = cli(port, "INFO", "sentinel");
            return info.contains("status=ok") && info.contains("slaves=1") && info.contains("sentinels=3");
        }) && cli(replica, "INFO", "replication").contains("master_link_status:up"),
                READY_WITHIN, "the Sentinel setup was not ready");
    }

    /** redis-cli against one of this setup's processes, with its password. */
    private String cli(int port, String... words) {
        List<String> command = new ArrayList<>();
        if (password != null) {
            command.addAll(List.of("-a", password, "--no-auth-warning"));
        }
        command.addAll(List.of(words));
        return RedisClusterProcesses.cli(port, command.toArray(String[]::new));
    }

    private static List<Integer> freePorts(int count) {
        List<Integer> ports = new ArrayList<>();
        while (ports.size() < count) {
            try (ServerSocket socket = new ServerSocket(0)) {
                if (!ports.contains(socket.getLocalPort())) {
                    ports.add(socket.getLocalPort());
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return ports;
    }

    @Override
    public void close() {
        List.copyOf(processes.keySet()).forEach(this::kill);
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory
        }
    }
}
