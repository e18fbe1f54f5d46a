package io.realtime.cluster.redis;

import io.realtime.cluster.RedisAdapterOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Reads one stream for the whole node: a thread of its own over a connection of its own, blocking in
 * {@code XREAD} (never on a Netty or lettuce loop), handing each entry to the transport in stream order. It starts
 * after the stream's last entry and then follows entry ids, so nothing added between two reads is skipped (the
 * adapter's {@code $} would). While Redis is away it tries again every half second.
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
    private final Thread thread;
    private final String startedAfter;
    private volatile boolean closed;
    private final RedisLink.BlockingReader reader;

    private StreamReader(RedisLink link, String stream, RedisAdapterOptions options, BiConsumer<String, Map<String, String>> onEntry) {
        this.link = link;
        this.failures = new HandlerFailures(log, link.stats());
        this.stream = stream;
        this.readCount = options.streamReadCount();
        // The read runs under lettuce's command timeout (the request timeout): blocking as long as that would time
        // out every idle read, drop the late reply and pause before the next, delaying every broadcast. Half of it
        // leaves the rest for the round trip.
        this.blockMillis = Math.max(MIN_BLOCK_MILLIS, Math.min(BLOCK_MILLIS, options.requestTimeout().toMillis() / 2));
        this.onEntry = onEntry;
        this.reader = link.openBlockingReader();
        // The position is taken before start() returns: whatever is added once the adapter exists is read.
        try {
            this.startedAfter = reader.lastId(stream);
        } catch (RuntimeException e) {
            reader.close();
            throw e;
        }
        this.thread = new Thread(() -> run(startedAfter), "stream-reader-" + stream);
        thread.setDaemon(true);
    }

    /** The id this reader started after: it delivers no entry up to it. */
    String startedAfter() {
        return startedAfter;
    }

    static StreamReader start(RedisLink link, String stream, RedisAdapterOptions options,
                              BiConsumer<String, Map<String, String>> onEntry) {
        StreamReader reader = new StreamReader(link, stream, options, onEntry);
        reader.thread.start();
        return reader;
    }

    private void run(String start) {
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
                        log.error("the reader of stream {} stops at entry {}: the JVM failed", stream, entry.getKey(), e);
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
     * in a broken JVM. A stack overflow is not one of them: by the time it is caught here its stack has unwound.
     */
    private static boolean isFatal(Throwable e) {
        return e instanceof VirtualMachineError && !(e instanceof StackOverflowError);
    }

    private void pause() {
        try {
            Thread.sleep(RETRY_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
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
