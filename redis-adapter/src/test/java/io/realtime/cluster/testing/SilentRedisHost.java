package io.realtime.cluster.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A redis-server on a host of its own that can go silent: a network namespace reached through a veth pair, whose
 * Redis side is set down ({@link #silence()}), so that nothing answers any more and nothing is closed (no FIN, no
 * RST), as when a VM crashes or a Kubernetes node is cut off; and set up again ({@link #restore()}).
 *
 * <p>Needs root and iproute2's {@code ip}. Without them {@link #start()} fails saying so, unless the run opted out
 * ({@code -DskipNetnsTests=true} or {@code SKIP_NETNS_TESTS=true}), when the test is aborted (reported skipped).
 * Each fixture has names of its own (namespace, veth pair, a /30 of 10.231.0.0/16), so parallel runs do not
 * collide; {@link #close()} always removes them and stops Redis, and a namespace left by a run that died (its JVM's
 * pid in the name) is removed by the next one.
 */
public final class SilentRedisHost implements AutoCloseable {

    /** System property and environment variable that skip the tests needing a network namespace. */
    public static final String OPT_OUT_PROPERTY = "skipNetnsTests";
    public static final String OPT_OUT_ENV = "SKIP_NETNS_TESTS";

    private static final String PREFIX = "rtsilent-";
    private static final int PORT = 6390;
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private final String namespace;
    private final String hostSide;
    private final String redisSide;
    private final String redisAddress;
    private final List<Process> processes = new ArrayList<>();
    private final Thread cleanupOnExit = new Thread(this::cleanUp, "silent-redis-host-cleanup");
    private boolean closed;

    private SilentRedisHost(String namespace, String hostSide, String redisSide, String redisAddress) {
        this.namespace = namespace;
        this.hostSide = hostSide;
        this.redisSide = redisSide;
        this.redisAddress = redisAddress;
    }

    /** Sets up the namespace and its link, starts Redis in it and returns once it answers PING (within 10 s). */
    public static SilentRedisHost start() {
        if (Boolean.getBoolean(OPT_OUT_PROPERTY) || "true".equalsIgnoreCase(System.getenv(OPT_OUT_ENV))) {
            org.junit.jupiter.api.Assumptions.abort("network namespace tests skipped (" + OPT_OUT_PROPERTY + "/"
                    + OPT_OUT_ENV + ")");
        }
        removeLeftovers();
        long pid = ProcessHandle.current().pid();
        int n = COUNTER.incrementAndGet();
        String id = Long.toString(pid % 1_000_000, 36) + "x" + Integer.toString(n, 36);
        int base = pickSubnet();
        String prefix = "10.231." + (base >> 8) + ".";
        SilentRedisHost host = new SilentRedisHost(PREFIX + pid + "-" + n, "vsh" + id, "vsr" + id,
                prefix + ((base & 0xff) + 2));
        Runtime.getRuntime().addShutdownHook(host.cleanupOnExit);
        try {
            host.setUp(prefix + ((base & 0xff) + 1));
            return host;
        } catch (RuntimeException | Error e) {
            host.close();
            throw e;
        }
    }

    private void setUp(String hostAddress) {
        try {
            run("ip", "netns", "add", namespace);
        } catch (IllegalStateException e) {
            throw new IllegalStateException("this test needs a network namespace of its own, to make a Redis host"
                    + " go silent: run it as root with iproute2's ip installed (.ci/run does), or opt out with -D"
                    + OPT_OUT_PROPERTY + "=true or " + OPT_OUT_ENV + "=true. " + e.getMessage(), e);
        }
        run("ip", "link", "add", hostSide, "type", "veth", "peer", "name", redisSide);
        run("ip", "link", "set", redisSide, "netns", namespace);
        run("ip", "addr", "add", hostAddress + "/30", "dev", hostSide);
        run("ip", "link", "set", hostSide, "up");
        inNamespace("ip", "addr", "add", redisAddress + "/30", "dev", redisSide);
        inNamespace("ip", "link", "set", redisSide, "up");
        inNamespace("ip", "link", "set", "lo", "up");
        Process redis;
        try {
            redis = new ProcessBuilder("ip", "netns", "exec", namespace, "redis-server", "--port", String.valueOf(PORT),
                    "--bind", redisAddress, "--save", "", "--appendonly", "no", "--protected-mode", "no")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start redis-server in " + namespace, e);
        }
        processes.add(redis);
        RedisProcess.awaitCondition(() -> {
            if (!redis.isAlive()) {
                throw new IllegalStateException("redis-server exited on start in " + namespace);
            }
            try {
                return "+PONG".equals(RedisFixture.command(redisAddress, PORT, "PING"));
            } catch (RuntimeException notYet) {
                return false;
            }
        }, Duration.ofSeconds(10), "redis-server did not answer at " + redisAddress + ":" + PORT);
    }

    /** {@code redis://address:port} of the Redis in the namespace. */
    public String uri() {
        return "redis://" + redisAddress + ":" + PORT;
    }

    /** The Redis host goes silent: its side of the link goes down; every packet to it is lost, none comes back. */
    public void silence() {
        inNamespace("ip", "link", "set", redisSide, "down");
    }

    /** The Redis host answers again, its connections as they were (Redis never saw them close). */
    public void restore() {
        inNamespace("ip", "link", "set", redisSide, "up");
    }

    /** Stops Redis and removes the namespace and the veth pair; never throws. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        cleanUp();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanupOnExit);
        } catch (IllegalStateException exiting) {
            // The JVM is exiting: the hook runs (or ran) the same clean-up.
        }
    }

    private synchronized void cleanUp() {
        if (closed) {
            return;
        }
        closed = true;
        for (Process process : processes) {
            process.destroyForcibly();
            try {
                process.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // Deleting the namespace deletes the veth in it, and with it its peer; the peer is deleted first in case
        // the namespace was never made.
        quietly("ip", "link", "del", hostSide);
        quietly("ip", "netns", "del", namespace);
    }

    /** Namespaces of this fixture whose JVM is gone (killed before it could clean up). */
    private static void removeLeftovers() {
        String list;
        try {
            list = output("ip", "netns", "list");
        } catch (IllegalStateException noIp) {
            return;
        }
        for (String line : list.split("\n")) {
            String name = line.trim().split("\\s+")[0];
            if (!name.startsWith(PREFIX)) {
                continue;
            }
            String[] parts = name.substring(PREFIX.length()).split("-");
            try {
                long pid = Long.parseLong(parts[0]);
                if (ProcessHandle.of(pid).isEmpty()) {
                    // Its Redis outlived it.
                    for (String process : output("ip", "netns", "pids", name).split("\\s+")) {
                        if (!process.isBlank()) {
                            ProcessHandle.of(Long.parseLong(process)).ifPresent(ProcessHandle::destroyForcibly);
                        }
                    }
                    quietly("ip", "netns", "del", name);
                }
            } catch (NumberFormatException | IllegalStateException notOurs) {
                // Left alone.
            }
        }
    }

    /** A /30 of 10.231.0.0/16 no interface of this machine has an address in (its first address's last 16 bits). */
    private static int pickSubnet() {
        String addresses;
        try {
            addresses = output("ip", "-o", "-4", "addr", "show");
        } catch (IllegalStateException noIp) {
            addresses = "";
        }
        for (int attempt = 0; attempt < 100; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(1, 16_384) * 4;
            String prefix = "10.231." + (base >> 8) + ".";
            boolean taken = false;
            for (int i = 0; i < 4 && !taken; i++) {
                taken = addresses.contains(" " + prefix + ((base & 0xff) + i) + "/");
            }
            if (!taken) {
                return base;
            }
        }
        throw new IllegalStateException("no free /30 in 10.231.0.0/16");
    }

    private void inNamespace(String... command) {
        String[] full = new String[command.length + 4];
        full[0] = "ip";
        full[1] = "netns";
        full[2] = "exec";
        full[3] = namespace;
        System.arraycopy(command, 0, full, 4, command.length);
        run(full);
    }

    private static void run(String... command) {
        output(command);
    }

    private static void quietly(String... command) {
        try {
            output(command);
        } catch (IllegalStateException ignored) {
            // Already gone.
        }
    }

    /** Runs {@code command} (within 10 s) and returns its output; fails with it unless it exits with 0. */
    private static String output(String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not end within 10 s");
            }
            String text = new String(out, StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed (" + process.exitValue() + "): "
                        + text.strip());
            }
            return text;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + String.join(" ", command), e);
        }
    }
}
