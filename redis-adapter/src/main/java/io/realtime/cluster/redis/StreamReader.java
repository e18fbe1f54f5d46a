package io.realtime.cluster.redis;

import io.realtime.cluster.RedisAdapterOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Reads one stream for the whole node: a thread of its own over a connection of its own, blocking in
 * {@code XREAD} (never on a Netty or lettuce loop), handing each entry to the transport in stream order. It starts
 * after the stream's last entry and then follows entry ids, so nothing added between two reads is skipped (the
 * adapter's {@code $} would). While Redis is away it tries again every half second. Should its thread end before
 * {@link #close} (a fatal error, an interrupt), it says why to {@code onStopped}: nothing starts it again.
 *
 * <p>{@link #start} never waits for Redis: an adapter is often made on the Netty event loop of the first socket of
 * its namespace. It only issues the question of where the stream ends on the link's publishing connection
 * ({@code XREVRANGE}, answered later), ahead of every entry this node appends next, so none of those is skipped;
 * the reader's own connection is opened on the reader's thread, which then starts after that position.
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
    /** The stream's last entry as the link's connection found it when the reader was made: where it starts. */
    private final CompletableFuture<String> position;
    /** Where the reader started, or the first reason its connect or its position failed (it goes on trying). */
    private final CompletableFuture<String> firstAttempt = new CompletableFuture<>();
    /** Where the reader started: null until its thread has the position; set under {@link #placing}. */
    private volatile String startedAfter;
    /** Guards {@link #firstAppendedMeanwhile} against the start being set while an append tells it. */
    private final Object placing = new Object();
    /** The first entry this node appended while the start was not known; guarded by {@link #placing}. */
    private String firstAppendedMeanwhile;
    private volatile boolean closed;
    /** The entry whose handler failed fatally; only the reader's thread touches it. */
    private String fatalAt;
    /** Guards {@link #reader} between the reader's thread, which opens it, and {@link #close}. */
    private final Object connecting = new Object();
    /** The reader's own connection once its thread has opened it; guarded by {@link #connecting}. */
    private RedisLink.BlockingReader reader;

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
        // Asked now, without waiting: Redis answers it before any entry this node appends once the adapter exists.
        this.position = link.lastId(stream).toCompletableFuture();
        this.thread = new Thread(this::run, "stream-reader-" + stream);
        thread.setDaemon(true);
    }

    /** The id this reader started after (it delivers no entry up to it); null while it is still connecting. */
    String startedAfter() {
        return startedAfter;
    }

    /**
     * Returns at once, without a connection to Redis yet (the reader's thread opens one).
     *
     * @param onStopped told why, once, if the reader stops before it is closed
     */
    static StreamReader start(RedisLink link, String stream, RedisAdapterOptions options,
                              BiConsumer<String, Map<String, String>> onEntry, Consumer<String> onStopped) {
        StreamReader reader = new StreamReader(link, stream, options, onEntry, onStopped);
        reader.thread.start();
        return reader;
    }

    private void run() {
        try {
            RedisLink.BlockingReader connection = connect();
            if (connection == null) {
                return;
            }
            String start = startPosition();
            if (start == null) {
                return;
            }
            firstAttempt.complete(start);
            follow(connection, start);
        } catch (InterruptedException e) {
            stopped("was interrupted", e);
        } catch (Throwable e) {
            stopped((fatalAt == null ? "stopped: " : "stopped at entry " + fatalAt + ": ") + e, e);
            throw e;
        }
    }

    /**
     * Opens the reader's connection, trying again every half second while Redis cannot be reached; null once the
     * reader is closed, a connection opened meanwhile closed here (nobody else would).
     */
    private RedisLink.BlockingReader connect() throws InterruptedException {
        boolean failing = false;
        while (!closed) {
            RedisLink.BlockingReader opened;
            try {
                opened = link.openBlockingReader();
            } catch (RuntimeException e) {
                if (closed) {
                    return null;
                }
                firstAttempt.completeExceptionally(e);
                if (!failing) {
                    log.warn("connecting to read the stream {} failed, trying again: {}", stream, e.toString());
                    failing = true;
                }
                pause();
                continue;
            }
            synchronized (connecting) {
                if (!closed) {
                    reader = opened;
                    return opened;
                }
            }
            opened.close();
        }
        return null;
    }

    /**
     * Where the reader starts: the position asked when it was made. When Redis could not answer that, it is asked
     * again on the link's connection until answered, and the reader starts before the first entry this node appended
     * meanwhile, if earlier: Redis answers each append sent before the question first, so by then every such entry
     * has been told to {@link #appended} (those whose append failed reached this node's sockets already). Sets
     * {@link #startedAfter}; null once the reader is closed.
     */
    private String startPosition() throws InterruptedException {
        CompletableFuture<String> asked = position;
        boolean failing = false;
        while (!closed) {
            try {
                String last = asked.get(BLOCK_MILLIS, TimeUnit.MILLISECONDS);
                synchronized (placing) {
                    String first = firstAppendedMeanwhile;
                    startedAfter = first == null || StreamSessionRecovery.after(first, last) ? last : before(first);
                    return startedAfter;
                }
            } catch (TimeoutException e) {
                // Looked at again, unless closed meanwhile: the link's own timeout ends the question.
            } catch (ExecutionException e) {
                firstAttempt.completeExceptionally(e.getCause());
                if (!failing) {
                    log.warn("reading the end of the stream {} failed, trying again: {}", stream, e.getCause().toString());
                    failing = true;
                }
                pause();
                asked = link.lastId(stream).toCompletableFuture();
            }
        }
        return null;
    }

    /**
     * Told the id of each entry this node appended to the stream: while the reader's start is not known, the first
     * of them bounds it (see {@link #startPosition}).
     */
    void appended(String id) {
        if (startedAfter != null) {
            return;
        }
        synchronized (placing) {
            if (startedAfter == null && (firstAppendedMeanwhile == null || StreamSessionRecovery.after(firstAppendedMeanwhile, id))) {
                firstAppendedMeanwhile = id;
            }
        }
    }

    /** The id just before {@code id}: an {@code XREAD} after it returns {@code id} first. */
    static String before(String id) {
        int dash = id.indexOf('-');
        long millis = Long.parseUnsignedLong(id.substring(0, dash));
        long sequence = Long.parseUnsignedLong(id.substring(dash + 1));
        return sequence != 0 ? millis + "-" + Long.toUnsignedString(sequence - 1)
                : millis == 0 ? "0-0" : Long.toUnsignedString(millis - 1) + "-" + Long.toUnsignedString(-1L);
    }

    /**
     * Waits for the reader to be connected and placed, for at most {@code timeout}; not on an event loop (the
     * cluster's start). Its first failure is thrown, though the reader goes on trying until closed.
     */
    void awaitStarted(java.time.Duration timeout) {
        try {
            firstAttempt.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new io.realtime.cluster.ClusterUnavailableException("cannot read the stream " + stream + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new io.realtime.cluster.ClusterUnavailableException("cannot read the stream " + stream + " within " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new io.realtime.cluster.ClusterUnavailableException("interrupted waiting for the reader of the stream " + stream, e);
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

    private void follow(RedisLink.BlockingReader connection, String start) throws InterruptedException {
        String after = start;
        boolean failing = false;
        while (!closed) {
            List<Map.Entry<String, Map<String, String>>> entries;
            try {
                entries = connection.read(stream, after, readCount, blockMillis);
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

    /**
     * Tells the reader to stop without waiting for it: its read in progress still ends on its own (within a second),
     * so a transport that stops all its readers first, then closes each, waits for one such read, not one per reader.
     */
    void stop() {
        closed = true;
        firstAttempt.completeExceptionally(new IllegalStateException("the reader of stream " + stream + " is closed"));
    }

    /**
     * Stops the reader and waits for its thread to end. A connection its thread is still opening is closed by that thread once open (a connect
     * ends within the request timeout), which then ends too.
     */
    @Override
    public void close() {
        stop();
        try {
            thread.join(BLOCK_MILLIS * 2);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        RedisLink.BlockingReader opened;
        synchronized (connecting) {
            opened = reader;
        }
        if (opened != null) {
            opened.close();
        }
    }
}
