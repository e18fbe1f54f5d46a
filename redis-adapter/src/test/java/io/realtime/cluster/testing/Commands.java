package io.realtime.cluster.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a command line for a test, bounded in time: a command that hangs is killed and fails the test. */
public final class Commands {

    /** What a command that ended printed, and its exit code. */
    public record Result(int exitCode, String output, String errors) {
        public Result requireSuccess(List<String> command) {
            if (exitCode != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited with " + exitCode + "\n" + output + errors);
            }
            return this;
        }
    }

    private Commands() {
    }

    /**
     * Runs {@code command} and waits for it at most {@code timeout}. Its output goes to files rather than pipes, so a
     * command that prints more than a pipe holds cannot block, and the wait is bounded whatever it prints.
     */
    public static Result run(Duration timeout, List<String> command) {
        return run(timeout, null, command);
    }

    /** As {@link #run(Duration, List)}, in {@code directory} (null: this process's). */
    public static Result run(Duration timeout, Path directory, List<String> command) {
        Path output = null;
        Path errors = null;
        try {
            output = Files.createTempFile("command-", ".out");
            errors = Files.createTempFile("command-", ".err");
            Process process = new ProcessBuilder(command).directory(directory == null ? null : directory.toFile())
                    .redirectOutput(output.toFile()).redirectError(errors.toFile()).start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                throw new IllegalStateException("still running after " + timeout + ", killed: " + String.join(" ", command));
            }
            return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8),
                    Files.readString(errors, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command.get(0), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            deleteQuietly(output);
            deleteQuietly(errors);
        }
    }

    /** Asks {@code process} to end, and kills it if it has not within 10 s. */
    public static void stop(Process process) {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // A temporary file left behind is harmless.
            }
        }
    }
}
