package io.realtime.cluster.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A Redis Cluster of six {@code redis-server --cluster-enabled yes} processes on free ports of 127.0.0.1 (three
 * primaries, three replicas, made by {@code redis-cli --cluster create}), ready when every node reports
 * {@code cluster_state:ok}. Fails with the reason when it cannot be made; never skipped.
 */
public final class RedisClusterProcesses implements AutoCloseable {

    private static final Duration READY_WITHIN = Duration.ofSeconds(30);

    private final Path dir;
    private final String serverBinary;
    private final Map<Integer, Process> nodes = new ConcurrentHashMap<>();
    private final List<Integer> ports;

    private final Duration nodeTimeout;

    private RedisClusterProcesses(Path dir, String serverBinary, List<Integer> ports, Duration nodeTimeout) {
        this.dir = dir;
        this.serverBinary = serverBinary;
        this.ports = List.copyOf(ports);
        this.nodeTimeout = nodeTimeout;
    }

    /**
     * @param nodeTimeout {@code cluster-node-timeout}: how long a primary may be unreachable before it is failed
     *                    over (a failover takes about this plus one second)
     */
    static RedisClusterProcesses start(String serverBinary, Duration nodeTimeout) {
        if (serverBinary == null || !Files.isExecutable(Path.of("/usr/bin/redis-cli"))) {
            throw new IllegalStateException("a Redis Cluster for the tests needs redis-server and redis-cli (apt-get install redis-server redis-tools)");
        }
        Path dir;
        try {
            dir = Files.createTempDirectory("redis-cluster-");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        RedisClusterProcesses cluster = new RedisClusterProcesses(dir, serverBinary, freePortPairs(6), nodeTimeout);
        try {
            cluster.ports.forEach(cluster::startNode);
            List<String> create = new ArrayList<>(List.of("/usr/bin/redis-cli", "--cluster", "create"));
            cluster.ports.forEach(port -> create.add("127.0.0.1:" + port));
            create.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
            String output = run(create, Duration.ofSeconds(30));
            if (!output.contains("[OK] All 16384 slots covered")) {
                throw new IllegalStateException("redis-cli --cluster create failed:\n" + output);
            }
            cluster.awaitReady();
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /** The seed list of every node: {@code redis-cluster://127.0.0.1:p1,...}. */
    public String uri() {
        return "redis-cluster://" + ports.stream().map(port -> "127.0.0.1:" + port).collect(Collectors.joining(","));
    }

    public List<Integer> ports() {
        return ports;
    }

    /** The ports of the nodes that are primaries now. */
    public List<Integer> primaries() {
        return ports.stream().filter(nodes::containsKey)
                .filter(port -> cli(port, "ROLE").startsWith("master")).toList();
    }

    /**
     * The port of the primary serving {@code slot}, as a live node sees the cluster now; -1 while no live primary
     * serves it (a failover in progress).
     */
    public int primaryOf(int slot) {
        for (int port : List.copyOf(nodes.keySet())) {
            String table = cli(port, "CLUSTER", "NODES");
            if (table.isBlank() || table.startsWith("Could not connect")) {
                continue;
            }
            for (String line : table.split("\\R")) {
                String[] fields = line.trim().split(" ");
                if (fields.length < 9 || !fields[2].contains("master") || fields[2].contains("fail")) {
                    continue;
                }
                for (int i = 8; i < fields.length; i++) {
                    if (covers(fields[i], slot)) {
                        int owner = Integer.parseInt(fields[1].substring(fields[1].indexOf(':') + 1, fields[1].indexOf('@')));
                        return nodes.containsKey(owner) ? owner : -1;
                    }
                }
            }
            return -1;
        }
        return -1;
    }

    /**
     * Moves an empty {@code slot} to the primary on {@code toPort}, as a resharding does (importing, migrating, then
     * the new owner announced to every node), and waits until every live node sees it there.
     */
    public void moveSlot(int slot, int toPort) {
        int fromPort = primaryOf(slot);
        String from = cli(fromPort, "CLUSTER", "MYID").trim();
        String to = cli(toPort, "CLUSTER", "MYID").trim();
        String s = String.valueOf(slot);
        requireOk(cli(toPort, "CLUSTER", "SETSLOT", s, "IMPORTING", from));
        requireOk(cli(fromPort, "CLUSTER", "SETSLOT", s, "MIGRATING", to));
        requireOk(cli(toPort, "CLUSTER", "SETSLOT", s, "NODE", to));
        requireOk(cli(fromPort, "CLUSTER", "SETSLOT", s, "NODE", to));
        for (int port : List.copyOf(nodes.keySet())) {
            if (port != toPort && port != fromPort) {
                cli(port, "CLUSTER", "SETSLOT", s, "NODE", to);
            }
        }
        RedisProcess.awaitCondition(() -> nodes.keySet().stream().allMatch(port -> ownerSeenBy(port, slot) == toPort), READY_WITHIN,
                "slot " + slot + " did not move to " + toPort);
    }

    private static void requireOk(String reply) {
        if (!reply.trim().equals("OK")) {
            throw new IllegalStateException("CLUSTER SETSLOT answered " + reply.trim());
        }
    }

    private static int ownerSeenBy(int port, int slot) {
        for (String line : cli(port, "CLUSTER", "NODES").split("\\R")) {
            String[] fields = line.trim().split(" ");
            if (fields.length >= 9 && fields[2].contains("master")) {
                for (int i = 8; i < fields.length; i++) {
                    if (covers(fields[i], slot)) {
                        return Integer.parseInt(fields[1].substring(fields[1].indexOf(':') + 1, fields[1].indexOf('@')));
                    }
                }
            }
        }
        return -1;
    }

    /** {@code CLUSTER KEYSLOT} of a key or channel. */
    public int slotOf(String key) {
        return Integer.parseInt(cli(anyLive(), "CLUSTER", "KEYSLOT", key).trim());
    }

    private int anyLive() {
        return nodes.keySet().iterator().next();
    }

    private static boolean covers(String range, int slot) {
        if (range.startsWith("[")) {
            return false; // a slot being migrated
        }
        int dash = range.indexOf('-');
        int from = Integer.parseInt(dash < 0 ? range : range.substring(0, dash));
        int to = dash < 0 ? from : Integer.parseInt(range.substring(dash + 1));
        return slot >= from && slot <= to;
    }

    /** Kills a node at once (SIGKILL), as a crash would. */
    public void kill(int port) {
        Process node = nodes.remove(port);
        if (node != null) {
            node.destroyForcibly();
            try {
                node.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Stops every node without closing a connection (SIGSTOP): to its clients the cluster is cut off as a whole. */
    public void pauseAll() {
        signalAll("STOP");
    }

    /** Lets the nodes {@link #pauseAll() paused} go on (SIGCONT). */
    public void resumeAll() {
        signalAll("CONT");
    }

    /**
     * Stops one node without closing a connection (SIGSTOP), as a partition or a frozen host would: its clients hear
     * nothing, and a primary's replica is promoted once {@code cluster-node-timeout} has passed.
     */
    public void pause(int port) {
        signal(nodes.get(port), "STOP");
    }

    /** Lets a node {@link #pause(int) paused} go on (SIGCONT); a node no longer running is left alone. */
    public void resume(int port) {
        Process node = nodes.get(port);
        if (node != null && node.isAlive()) {
            signal(node, "CONT");
        }
    }

    /**
     * The port of a replica of the primary on {@code primaryPort}, as that primary sees it. Right after the cluster is
     * made, a primary may not list its replica yet (the replica's role reaches it by gossip): waited for, up to 10 s.
     */
    public int replicaOf(int primaryPort) {
        String id = cli(primaryPort, "CLUSTER", "MYID").trim();
        return org.awaitility.Awaitility.await("a replica of " + primaryPort).atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> listedReplica(primaryPort, id), port -> port > 0);
    }

    /** The port of the first replica {@code primaryPort}'s node table lists for the node {@code id}; 0: none yet. */
    private int listedReplica(int primaryPort, String id) {
        for (String line : cli(primaryPort, "CLUSTER", "NODES").split("\\R")) {
            String[] fields = line.trim().split(" ");
            if (fields.length >= 8 && fields[2].contains("slave") && fields[3].equals(id)) {
                return Integer.parseInt(fields[1].substring(fields[1].indexOf(':') + 1, fields[1].indexOf('@')));
            }
        }
        return 0;
    }

    private void signalAll(String signal) {
        for (Process node : nodes.values()) {
            signal(node, signal);
        }
    }

    private static void signal(Process node, String signal) {
        Commands.Result result = Commands.run(Duration.ofSeconds(5), List.of("kill", "-" + signal, Long.toString(node.pid())));
        if (result.exitCode() != 0) {
            throw new IllegalStateException("kill -" + signal + " failed: " + result.errors());
        }
    }

    /** Runs redis-cli against a node; returns its output. */
    public static String cli(int port, String... words) {
        List<String> command = new ArrayList<>(List.of("/usr/bin/redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(port)));
        command.addAll(List.of(words));
        return run(command, Duration.ofSeconds(5));
    }

    private void startNode(int port) {
        nodes.put(port, RedisProcess.start(port, List.of(serverBinary, "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--cluster-enabled", "yes", "--cluster-config-file", "nodes-" + port + ".conf",
                "--cluster-node-timeout", Long.toString(nodeTimeout.toMillis()),
                // A replica fails over however long it has been cut off from its primary (the default refuses when
                // the link was down, or never up, for long), and its first sync starts at once (the default waits 5 s).
                "--cluster-replica-validity-factor", "0", "--repl-diskless-sync-delay", "0", "--dir", dir.toString(), "--save", "", "--appendonly", "no",
                "--protected-mode", "no"), dir.resolve("redis-" + port + ".log").toFile()));
    }

    private void awaitReady() {
        RedisProcess.awaitCondition(() -> ports.stream().allMatch(port -> {
            String info = cli(port, "CLUSTER", "INFO");
            if (!info.contains("cluster_state:ok") || !info.contains("cluster_slots_ok:16384") || !info.contains("cluster_known_nodes:6")) {
                return false;
            }
            String replication = cli(port, "INFO", "replication");
            return replication.contains("role:master") || replication.contains("master_link_status:up");
        }), READY_WITHIN, "the Redis Cluster did not reach cluster_state:ok with every replica in sync");
    }

    private static String run(List<String> command, Duration timeout) {
        Commands.Result result = Commands.run(timeout, command);
        return result.output() + result.errors();
    }

    /** Ports whose cluster bus port (port + 10000) is free too. */
    private static List<Integer> freePortPairs(int count) {
        List<Integer> ports = new ArrayList<>();
        while (ports.size() < count) {
            int port = ThreadLocalRandom.current().nextInt(20000, 30000);
            if (!ports.contains(port) && isFree(port) && isFree(port + 10000)) {
                ports.add(port);
            }
        }
        return ports;
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        List.copyOf(nodes.keySet()).forEach(this::kill);
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory
        }
    }
}
