package io.realtime.cluster.redis;

import io.realtime.cluster.RedisAdapterOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Reads one stream for the whole node: a thread of its own over a connection of its own, blocking in
 * {@code XREAD} (never on a Netty or lettuce loop), handing each entry to the transport in stream order. It starts
 * after the stream's last entry and then follows entry ids, so nothing added between two reads is skipped (the
 * adapter's {@code $} would). While Redis is away it tries again every half second. Should its thread end before
 * {@link #close} (a fatal error, an interrupt), it says why to {@code onStopped}: nothing starts it again.
 */
final class StreamReader implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StreamReader.class);
    /** What one read waits for at most: short enough to stop promptly. */
    private static final long BLOCK_MILLIS = 1000;
    /** The least a read waits for: a tiny request timeout must not turn the reader into a busy loop. */
    private static final long MIN_BLOCK_MILLIS = 10;
    private static final long RETRY_MILLIS = 500;

    private final RedisLink link;
    private final HandlerFailures failures;
    private final String stream;
    private final int readCount;
    private final long blockMillis;
    private final BiConsumer<String, Map<String, String>> onEntry;
    private final Consumer<String> onStopped;
    private final Thread thread;
    private final String startedAfter;
    private volatile boolean closed;
    /** The entry whose handler failed fatally; only the reader's thread touches it. */
    private String fatalAt;
    private final RedisLink.BlockingReader reader;

    private StreamReader(RedisLink link, String stream, RedisAdapterOptions options,
                         BiConsumer<String, Map<String, String>> onEntry, Consumer<String> onStopped) {
        this.link = link;
        this.failures = new HandlerFailures(log, link.stats());
        this.stream = stream;
        this.readCount = options.streamReadCount();
        // The read runs under lettuce's command timeout (the request timeout): blocking as long as that would time
        // out every idle read, drop the late reply and pause before the next, delaying every broadcast. Half of it
        // leaves the rest for the round trip.
        this.blockMillis = Math.max(MIN_BLOCK_MILLIS, Math.min(BLOCK_MILLIS, options.requestTimeout().toMillis() / 2));
        this.onEntry = onEntry;
        this.onStopped = onStopped;
        this.reader = link.openBlockingReader();
        // The position is taken before start() returns: whatever is added once the adapter exists is read.
        try {
            this.startedAfter = reader.lastId(stream);
        } catch (RuntimeException e) {
            reader.close();
            throw e;
        }
        this.thread = new Thread(this::run, "stream-reader-" + stream);
        thread.setDaemon(true);
    }

    /** The id this reader started after: it delivers no entry up to it. */
    String startedAfter() {
        return startedAfter;
    }

    /** @param onStopped told why, once, if the reader stops before it is closed */
    static StreamReader start(RedisLink link, String stream, RedisAdapterOptions options,
                              BiConsumer<String, Map<String, String>> onEntry, Consumer<String> onStopped) {
        StreamReader reader = new StreamReader(link, stream, options, onEntry, onStopped);
        reader.thread.start();
        return reader;
    }

    private void run() {
        try {
            follow(startedAfter);
        } catch (InterruptedException e) {
            stopped("was interrupted", e);
        } catch (Throwable e) {
            stopped((fatalAt == null ? "stopped: " : "stopped at entry " + fatalAt + ": ") + e, e);
            throw e;
        }
    }

    /** The reader's thread ends for good: unless the reader was closed, this node hears nothing more from the stream. */
    private void stopped(String why, Throwable cause) {
        if (!closed) {
            // Told before the log: in a JVM out of memory the logging may fail in turn.
            onStopped.accept("the reader of stream " + stream + " " + why);
        }
        log.error("the reader of stream {} {}: this node receives nothing more from it", stream, why, cause);
    }

    private void follow(String start) throws InterruptedException {
        String after = start;
        boolean failing = false;
        while (!closed) {
            List<Map.Entry<String, Map<String, String>>> entries;
            try {
                entries = reader.read(stream, after, readCount, blockMillis);
                failing = false;
            } catch (RuntimeException e) {
                if (closed) {
                    return;
                }
                if (!failing) {
                    log.warn("reading the stream {} failed, trying again: {}", stream, e.toString());
                    failing = true;
                }
                pause();
                continue;
            }
            for (Map.Entry<String, Map<String, String>> entry : entries) {
                link.stats().recordReceived(entry.getValue().getOrDefault("data", "").length());
                try {
                    onEntry.accept(entry.getKey(), entry.getValue());
                } catch (Throwable e) {
                    if (isFatal(e)) {
                        fatalAt = entry.getKey();
                        throw e;
                    }
                    // One entry's failure (an AssertionError, a stack overflow of a recursive handler included) must
                    // not end the only reader of the stream: every later broadcast would be lost on this node.
                    failures.report("delivering stream entry " + entry.getKey(), e);
                }
                after = entry.getKey();
            }
        }
    }

    /**
     * An error the JVM may not recover from (out of memory, an internal error): the reader stops rather than go on
     * in a broken JVM, and the cluster reports itself broken ({@code Cluster.failure}), so the node is restarted.
     * A stack overflow is not one of them: by the time it is caught here its stack has unwound.
     */
    private static boolean isFatal(Throwable e) {
        return e instanceof VirtualMachineError && !(e instanceof StackOverflowError);
    }

    private static void pause() throws InterruptedException {
        Thread.sleep(RETRY_MILLIS);
    }

    @Override
    public void close() {
        closed = true;
        try {
            thread.join(BLOCK_MILLIS * 2);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        reader.close();
    }
}
