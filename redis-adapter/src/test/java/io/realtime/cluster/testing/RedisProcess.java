package io.realtime.cluster.testing;

import java.io.File;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

/** Starting Redis processes (servers, cluster nodes, sentinels) for tests, and waiting on them with a deadline. */
final class RedisProcess {

    private static final Duration START_WITHIN = Duration.ofSeconds(10);

    private RedisProcess() {
    }

    /**
     * Starts {@code command} and returns once it answers PING on {@code port} (within 10 s), with PONG or, if it asks
     * for a password, NOAUTH.
     *
     * @param log where its output goes; null: discarded
     */
    static Process start(int port, List<String> command, File log) {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(log == null ? ProcessBuilder.Redirect.DISCARD : ProcessBuilder.Redirect.to(log)).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + command.get(0), e);
        }
        try {
            awaitCondition(() -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException("exited on start: " + String.join(" ", command));
                }
                String answer = RedisFixture.command("127.0.0.1", port, "PING");
                // One that asks for a password answers too, with a refusal.
                return "+PONG".equals(answer) || answer.startsWith("-NOAUTH");
            }, START_WITHIN, "did not start on port " + port + ": " + String.join(" ", command));
        } catch (RuntimeException e) {
            process.destroyForcibly();
            throw e;
        }
        return process;
    }

    /** Polls {@code ready} until it holds; past {@code within}, fails saying {@code what} did not happen. */
    static void awaitCondition(BooleanSupplier ready, Duration within, String what) {
        long deadline = System.nanoTime() + within.toNanos();
        while (!ready.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(what + " (within " + within.toSeconds() + " s)");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
