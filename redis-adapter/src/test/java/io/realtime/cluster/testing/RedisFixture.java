package io.realtime.cluster.testing;

import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Redis for tests, in this order: {@code REDIS_URL} when set; else a {@code redis-server} this fixture starts on a
 * free port of 127.0.0.1; else a Testcontainers Redis where Docker exists. When none is possible the test fails
 * with the reason: it is never skipped silently. {@link #ownServer()} always starts a server the test owns, which
 * it may stop and restart (outage tests). {@link #sharedCluster()} is a Redis Cluster of six {@code redis-server}
 * processes (three primaries, three replicas) the fixture starts on free ports of 127.0.0.1.
 */
public final class RedisFixture implements AutoCloseable {

    private static RedisFixture shared;
    private static RedisFixture sharedCluster;

    private final String uri;
    private final Process process;
    private final GenericContainer<?> container;
    private final int port;
    private Process restarted;
    private RedisClusterProcesses cluster;

    private RedisFixture(String uri, Process process, GenericContainer<?> container, int port) {
        this.uri = uri;
        this.process = process;
        this.container = container;
        this.port = port;
    }

    /** The Redis Cluster of the whole test run (never stopped by a test): {@code redis-cluster://} seed list. */
    public static synchronized RedisFixture sharedCluster() {
        if (sharedCluster == null) {
            RedisClusterProcesses processes = RedisClusterProcesses.start(redisServerBinary(), Duration.ofSeconds(2));
            sharedCluster = new RedisFixture(processes.uri(), null, null, processes.ports().get(0));
            sharedCluster.cluster = processes;
            Runtime.getRuntime().addShutdownHook(new Thread(sharedCluster::close));
        }
        return sharedCluster;
    }

    /**
     * A Redis Cluster this test owns (it may kill its nodes); a primary that stops answering is failed over after
     * one second.
     */
    public static RedisFixture ownCluster() {
        RedisClusterProcesses processes = RedisClusterProcesses.start(redisServerBinary(), Duration.ofSeconds(1));
        RedisFixture fixture = new RedisFixture(processes.uri(), null, null, processes.ports().get(0));
        fixture.cluster = processes;
        return fixture;
    }

    /** The cluster's processes; null for a single Redis. */
    public RedisClusterProcesses cluster() {
        return cluster;
    }

    /** {@code PUBSUB SHARDNUMSUB} of a channel, summed over the nodes: how many connections hold it. */
    public int shardSubscribers(String channel) {
        List<Integer> ports = cluster != null ? cluster.ports() : List.of(port());
        int total = 0;
        for (int node : ports) {
            String[] lines = RedisClusterProcesses.cli(node, "PUBSUB", "SHARDNUMSUB", channel).trim().split("\\R");
            total += lines.length == 2 ? Integer.parseInt(lines[1].trim()) : 0;
        }
        return total;
    }

    /** A host of this Redis (the first seed of a cluster) for plain commands such as PUBLISH. */
    public String host() {
        return cluster != null ? "127.0.0.1" : java.net.URI.create(uri).getHost();
    }

    public int port() {
        return cluster != null ? cluster.ports().get(0) : java.net.URI.create(uri).getPort();
    }

    /** The Redis of the whole test run (never stopped by a test). */
    public static synchronized RedisFixture shared() {
        if (shared == null) {
            String fromEnv = System.getenv("REDIS_URL");
            shared = fromEnv != null && !fromEnv.isBlank() ? new RedisFixture(fromEnv, null, null, -1) : ownServer();
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close));
        }
        return shared;
    }

    /** A Redis this test owns: a local redis-server process, or a container where Docker exists. */
    public static RedisFixture ownServer() {
        if (redisServerBinary() != null) {
            int port = freePort();
            return new RedisFixture("redis://127.0.0.1:" + port, startProcess(port), null, port);
        }
        if (DockerClientFactory.instance().isDockerAvailable()) {
            // Published on the loopback interface only, as every server a test starts.
            GenericContainer<?> container = new GenericContainer<>("redis:7-alpine").withExposedPorts(6379)
                    .withCreateContainerCmdModifier(create -> create.getHostConfig().withPortBindings(new PortBinding(
                            Ports.Binding.bindIp("127.0.0.1"), ExposedPort.tcp(6379))));
            container.start();
            return new RedisFixture("redis://" + container.getHost() + ":" + container.getMappedPort(6379), null, container, -1);
        }
        throw new IllegalStateException("no Redis for the tests: set REDIS_URL, install redis-server, or provide Docker");
    }

    public String uri() {
        return uri;
    }

    /** Stops the server (an outage); only for a server this fixture started as a process. */
    public void stop() {
        Process running = restarted != null ? restarted : process;
        if (running == null) {
            throw new IllegalStateException("this Redis is not owned by the test");
        }
        running.destroy();
        try {
            if (!running.waitFor(5, TimeUnit.SECONDS)) {
                running.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Freezes the server without closing a connection (SIGSTOP), as a frozen host would: connections are still
     * accepted by the kernel, and nothing is answered until {@link #resume}. Only for a server started as a process.
     */
    public void pause() {
        signal("STOP");
    }

    /** Lets a server {@link #pause paused} go on (SIGCONT). */
    public void resume() {
        signal("CONT");
    }

    private void signal(String signal) {
        Process running = restarted != null ? restarted : process;
        if (running == null) {
            throw new IllegalStateException("this Redis is not owned by the test");
        }
        Commands.Result result = Commands.run(Duration.ofSeconds(5), List.of("kill", "-" + signal, Long.toString(running.pid())));
        if (result.exitCode() != 0) {
            throw new IllegalStateException("kill -" + signal + " failed: " + result.errors());
        }
    }

    /** Starts the server again on the same port. */
    public void restart() {
        if (process == null) {
            throw new IllegalStateException("this Redis is not owned by the test");
        }
        restarted = startProcess(port);
    }

    /** Sends one command with redis-cli semantics over a plain socket and returns the raw reply line. */
    public static String command(String host, int port, String... words) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 1000);
            socket.setSoTimeout(2000);
            StringBuilder request = new StringBuilder("*").append(words.length).append("\r\n");
            for (String word : words) {
                request.append('$').append(word.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(word).append("\r\n");
            }
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder line = new StringBuilder();
            for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
                line.append((char) c);
            }
            return line.toString().trim();
        } catch (IOException e) {
            return "ERR " + e.getMessage();
        }
    }

    private static Process startProcess(int port) {
        return RedisProcess.start(port, List.of(redisServerBinary(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--protected-mode", "no"), null);
    }

    static String redisServerBinary() {
        List<String> directories = new java.util.ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            directories.addAll(List.of(path.split(java.io.File.pathSeparator)));
        }
        directories.addAll(List.of("/usr/bin", "/usr/local/bin", "/usr/sbin"));
        for (String directory : directories) {
            if (!directory.isEmpty() && Files.isExecutable(Path.of(directory, "redis-server"))) {
                return Path.of(directory, "redis-server").toString();
            }
        }
        return null;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (cluster != null) {
            cluster.close();
        }
        if (process != null) {
            stop();
        }
        if (container != null) {
            container.stop();
        }
    }
}
