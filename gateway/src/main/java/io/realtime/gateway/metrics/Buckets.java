package io.realtime.gateway.metrics;

import java.time.Duration;

/** Fixed histogram buckets, the same on every node, so histograms aggregate across the cluster. */
final class Buckets {

    static final Duration[] LATENCY = millis(1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000);
    // Up to 10 s: a handler that waits on a database or a cluster request must still show its p99.
    static final Duration[] HANDLER = micros(10, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 50000, 250000, 1000000, 2500000, 10000000);
    static final double[] FAN_OUT = {1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 25000};

    private Buckets() {
    }

    private static Duration[] millis(long... values) {
        Duration[] result = new Duration[values.length];
        for (int i = 0; i < values.length; i++) {
            result[i] = Duration.ofMillis(values[i]);
        }
        return result;
    }

    private static Duration[] micros(long... values) {
        Duration[] result = new Duration[values.length];
        for (int i = 0; i < values.length; i++) {
            result[i] = Duration.ofNanos(values[i] * 1000);
        }
        return result;
    }
}
