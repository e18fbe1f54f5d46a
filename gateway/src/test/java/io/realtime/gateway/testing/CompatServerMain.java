package io.realtime.gateway.testing;

import io.realtime.gateway.GatewayNode;
import io.realtime.gateway.config.GatewayConfig;

import java.util.concurrent.CountDownLatch;

/**
 * The node the JavaScript compatibility suite talks to: conformance mode plus {@link CompatFixtures}, bound to
 * 127.0.0.1. Prints {@code READY <port>} once it accepts connections and stops on SIGTERM or when stdin closes.
 */
public final class CompatServerMain {

    public static void main(String[] args) throws Exception {
        String[] withDefaults = new String[args.length + 2];
        withDefaults[0] = "--host=127.0.0.1";
        withDefaults[1] = "--conformance";
        System.arraycopy(args, 0, withDefaults, 2, args.length);
        GatewayNode node = GatewayNode.start(GatewayConfig.load(java.util.Map.of(), withDefaults), CompatFixtures::install);
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            node.stop();
            done.countDown();
        }));
        System.out.println("READY " + node.socketIoAddress().getPort());
        System.out.flush();
        // The parent test process owns this node: when it goes away (stdin closes), so does the node.
        System.in.transferTo(java.io.OutputStream.nullOutputStream());
        node.stop();
        System.exit(0);
    }
}
