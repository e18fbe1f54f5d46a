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
        log.info("Configuration: {}", config.describe());
        config.warnings().forEach(warning -> log.warn("Configuration: {}", warning));
        GatewayNode node;
        try {
            node = GatewayNode.start(config);
        } catch (RuntimeException | Error e) {
            // An Error too: the node's threads would otherwise keep the JVM alive with nothing serving.
            log.error("Gateway failed to start: {}", e.getMessage(), e);
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("Shutdown requested: draining, then stopping");
            node.drainAndStop();
            stopped.countDown();
        }, "gateway-shutdown"));
        stopped.await();
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
