package io.realtime.gateway;

import io.netty.util.ResourceLeakDetector;
import io.realtime.gateway.config.ConfigException;
import io.realtime.gateway.config.GatewayConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CountDownLatch;

/** {@code java -jar gateway.jar [--key=value ...] [--config FILE] [--conformance]} */
public final class GatewayMain {

    private static final Logger log = LoggerFactory.getLogger(GatewayMain.class);

    private GatewayMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        withoutSampledLeakDetection();
        GatewayConfig config;
        try {
            config = GatewayConfig.load(System.getenv(), args);
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        // First, before the start: a SIGTERM during the start (or just after it) drains and stops the node once it
        // has started, rather than end the JVM under it.
        RunningNode running = new RunningNode();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (!running.failedToStart()) {
                log.info("Shutdown requested: draining, then stopping");
            }
            running.drainAndStop();
        }, "gateway-shutdown"));
        log.info("Configuration: {}", config.describe());
        config.warnings().forEach(warning -> log.warn("Configuration: {}", warning));
        try {
            running.start(() -> GatewayNode.start(config));
        } catch (RuntimeException | Error e) {
            // An Error too: the node's threads would otherwise keep the JVM alive with nothing serving.
            log.error("Gateway failed to start: {}", e.getMessage(), e);
            System.exit(1);
            return;
        }
        running.awaitStopped();
    }

    /**
     * The node the shutdown hook stops: none yet, one starting (the hook waits for its start to end, then drains and
     * stops it), or one running. Registered before the start, so that no SIGTERM finds the node without its hook.
     */
    static final class RunningNode {

        private final java.util.concurrent.CompletableFuture<GatewayNode> started = new java.util.concurrent.CompletableFuture<>();
        private final CountDownLatch stopped = new CountDownLatch(1);

        /** Starts the node; its failure is the caller's to report (the hook then has nothing to stop). */
        GatewayNode start(java.util.function.Supplier<GatewayNode> start) {
            try {
                GatewayNode node = start.get();
                started.complete(node);
                return node;
            } catch (RuntimeException | Error e) {
                started.completeExceptionally(e);
                throw e;
            }
        }

        /** The hook's work: waits for a start under way, then drains and stops the node it made, if any. */
        void drainAndStop() {
            try {
                GatewayNode node;
                try {
                    node = started.join();
                } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException failed) {
                    return;
                }
                node.drainAndStop();
            } finally {
                stopped.countDown();
            }
        }

        boolean failedToStart() {
            return started.isCompletedExceptionally();
        }

        void awaitStopped() throws InterruptedException {
            stopped.await();
        }
    }

    /**
     * Netty's default leak detection records a stack trace for one buffer in 128, at its allocation and at each
     * release: 3 to 4 % of the event loops' time under parallel acks. A node run from the command line goes without
     * it unless {@code -Dio.netty.leakDetection.level} asks for it (to hunt a leak); tests and applications that
     * embed the server keep Netty's default.
     */
    private static void withoutSampledLeakDetection() {
        if (System.getProperty("io.netty.leakDetection.level") == null
                && System.getProperty("io.netty.leakDetectionLevel") == null) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        }
    }
}
