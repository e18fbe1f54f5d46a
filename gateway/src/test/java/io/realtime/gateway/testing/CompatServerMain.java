package io.realtime.gateway.testing;

import io.realtime.gateway.GatewayNode;
import io.realtime.gateway.config.GatewayConfig;

import java.util.concurrent.CountDownLatch;

/**
 * The node the JavaScript compatibility suite talks to, bound to 127.0.0.1: conformance mode plus
 * {@link CompatFixtures}, or with {@code --product} the real node with its built-in features (configured from the
 * environment and flags as usual), or with {@code --client-suite} the real node plus {@link ClientSuiteFixtures}.
 * Prints {@code READY <port> <managementPort>} once it accepts connections and stops on SIGTERM or when stdin
 * closes.
 */
public final class CompatServerMain {

    public static void main(String[] args) throws Exception {
        boolean clientSuite = java.util.Arrays.asList(args).contains("--client-suite");
        boolean product = clientSuite || java.util.Arrays.asList(args).contains("--product");
        java.util.List<String> flags = new java.util.ArrayList<>(java.util.List.of("--host=127.0.0.1", "--managementHost=127.0.0.1", "--managementPort=0"));
        if (!product) {
            flags.add("--conformance");
        }
        java.util.Arrays.stream(args).filter(arg -> !arg.equals("--product") && !arg.equals("--client-suite")).forEach(flags::add);
        GatewayConfig config = GatewayConfig.load(System.getenv(), flags.toArray(String[]::new));
        GatewayNode node = GatewayNode.start(config, server -> {
            if (clientSuite) {
                ClientSuiteFixtures.install(server);
            } else if (!product) {
                CompatFixtures.install(server);
            }
        });
        if (!product) {
            RecoveryFixtures.install(node.server(), node.cluster());
        }
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            node.stop();
            done.countDown();
        }));
        System.out.println("READY " + node.socketIoAddress().getPort()
                + (node.managementAddress() == null ? "" : " " + node.managementAddress().getPort()));
        System.out.flush();
        // The parent test process owns this node: when it goes away (stdin closes), so does the node.
        System.in.transferTo(java.io.OutputStream.nullOutputStream());
        node.stop();
        System.exit(0);
    }
}
