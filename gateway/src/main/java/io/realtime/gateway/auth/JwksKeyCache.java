package io.realtime.gateway.auth;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ProxySelector;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Signing keys from a JWKS endpoint, kept in memory. Token checks only read the cached set, so they never wait on
 * the network; the set is fetched at start, every refresh interval, and soon after a token names a key the set does
 * not have (rate-limited, for key rotation). The scheduler only times the fetches: each runs on a thread of the
 * cache's own that exists while one runs, so a slow endpoint holds neither the node's shared scheduler (token expiry,
 * the dashboard) nor a thread while idle.
 * <p>
 * One fetch runs at a time, and at most one more waits: however many tokens name an unknown key, and however long
 * the endpoint takes, the lookups made meanwhile lead to a single fetch, which starts the minimum gap after the
 * previous fetch ended. A fetch connects within 5 s, fails when nothing arrives for 5 s, and ends within the fetch
 * deadline (15 s) whatever the endpoint does, so that one trickling its answer holds neither the fetch thread nor the
 * start-up.
 */
public final class JwksKeyCache implements JWKSource<SecurityContext>, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(JwksKeyCache.class);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** How long a fetch may go without receiving anything (the answer's headers or any of its body). */
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration FETCH_DEADLINE = Duration.ofSeconds(15);
    private static final int SIZE_LIMIT = 512 * 1024;

    private final URL url;
    private final String shownUrl;
    private final Duration refreshInterval;
    private final Duration minimumRefreshGap;
    private final Duration fetchDeadline;
    private final ScheduledExecutorService refresher;
    private final boolean ownsRefresher;
    private volatile ScheduledFuture<?> periodic;
    private volatile boolean closed;
    private final ThreadPoolExecutor fetcher = fetcher();
    private volatile JWKSet keys = new JWKSet();

    private final Object lock = new Object();
    /** A fetch has been handed to the fetch thread (or runs at start-up) and has not ended. */
    private boolean running;
    /** A refresh is asked for and has not started: it starts after the one running, and the minimum gap. */
    private volatile boolean wanted;
    private ScheduledFuture<?> wantedStart;
    /**
     * When the last fetch ended, successful or not, by {@link System#nanoTime()}: a wall clock stepped back (NTP, a
     * resumed VM) would put the next fetch off by the step. {@code null} before the first.
     */
    private Long lastFetchNanos;

    /** A cache with a refresh thread of its own, stopped by {@link #close()}. */
    public JwksKeyCache(URL url, Duration refreshInterval, Duration minimumRefreshGap) {
        this(url, refreshInterval, minimumRefreshGap, FETCH_DEADLINE);
    }

    /** With a fetch deadline of its own (tests). */
    JwksKeyCache(URL url, Duration refreshInterval, Duration minimumRefreshGap, Duration fetchDeadline) {
        this(url, refreshInterval, minimumRefreshGap, fetchDeadline, Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "jwks-refresh");
            thread.setDaemon(true);
            return thread;
        }), true);
    }

    /** A cache timed by a scheduler it shares with other periodic work (the node's), which its fetches never block. */
    public JwksKeyCache(URL url, Duration refreshInterval, Duration minimumRefreshGap, ScheduledExecutorService scheduler) {
        this(url, refreshInterval, minimumRefreshGap, FETCH_DEADLINE, scheduler, false);
    }

    private JwksKeyCache(URL url, Duration refreshInterval, Duration minimumRefreshGap, Duration fetchDeadline,
                         ScheduledExecutorService scheduler, boolean ownsScheduler) {
        this.url = url;
        this.shownUrl = shown(url.toString());
        this.refreshInterval = refreshInterval;
        this.minimumRefreshGap = minimumRefreshGap;
        this.fetchDeadline = fetchDeadline;
        this.refresher = scheduler;
        this.ownsRefresher = ownsScheduler;
    }

    /**
     * The URL as logs may show it: without credentials or query, where a provider's access token would be
     * ({@code https://user:pass@host/keys?token=...} shows as {@code https://****@host/keys?****}).
     */
    public static String shown(String url) {
        try {
            URI uri = new URI(url);
            if (uri.getRawAuthority() == null) {
                return "(not a URL)";
            }
            String authority = uri.getRawUserInfo() == null ? uri.getRawAuthority()
                    : "****@" + uri.getRawAuthority().substring(uri.getRawAuthority().lastIndexOf('@') + 1);
            return uri.getScheme() + "://" + authority + (uri.getRawPath() == null ? "" : uri.getRawPath())
                    + (uri.getRawQuery() == null ? "" : "?****");
        } catch (URISyntaxException e) {
            return "(not a URL)";
        }
    }

    /**
     * One thread at most, gone after a few idle seconds: a fetch every few minutes keeps no thread in between. Only one
     * fetch is handed over at a time (the next one once it has ended), so the queue holds at most the one handed over
     * while the thread finishes the previous.
     */
    private static ThreadPoolExecutor fetcher() {
        ThreadPoolExecutor executor = new ThreadPoolExecutor(1, 1, 5, TimeUnit.SECONDS, new ArrayBlockingQueue<>(1), runnable -> {
            Thread thread = new Thread(runnable, "jwks-fetch");
            thread.setDaemon(true);
            return thread;
        });
        executor.allowCoreThreadTimeOut(true);
        return executor;
    }

    /** Fetches once now (on the caller's thread, at start-up) and schedules the periodic refresh. */
    public JwksKeyCache start() {
        synchronized (lock) {
            running = true;
        }
        fetchAndTimeTheNext();
        periodic = refresher.scheduleWithFixedDelay(this::refreshPeriodically, refreshInterval.toMillis(),
                refreshInterval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    @Override
    public List<JWK> get(JWKSelector selector, SecurityContext context) {
        List<JWK> matches = selector.select(keys);
        if (matches.isEmpty()) {
            requestRefresh();
        }
        return matches;
    }

    public int keyCount() {
        return keys.size();
    }

    /**
     * Asks for a fetch, soon after a token named a key the set does not have. Merged with one already asked for, not
     * with one under way: that one may have read the set before a rotated key was published.
     */
    private void requestRefresh() {
        if (wanted || closed) {
            return;
        }
        synchronized (lock) {
            if (wanted || closed) {
                return;
            }
            wanted = true;
            if (!running) {
                timeWanted();
            }
        }
    }

    /** Times the wanted fetch the minimum gap after the last one ended. Holding the lock, with no fetch running. */
    private void timeWanted() {
        long delay = lastFetchNanos == null ? 0
                : Math.max(0, TimeUnit.NANOSECONDS.toMillis(lastFetchNanos + minimumRefreshGap.toNanos() - System.nanoTime()));
        try {
            wantedStart = refresher.schedule(this::startWanted, delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closing) {
            wanted = false;
        }
    }

    private void startWanted() {
        synchronized (lock) {
            wantedStart = null;
            if (closed || !wanted || running) {
                // Running (started at start-up): its end times this one again.
                return;
            }
            wanted = false;
            running = true;
        }
        handOver();
    }

    /** The periodic fetch, left out when one runs or is asked for: that one reads the set as recently. */
    private void refreshPeriodically() {
        synchronized (lock) {
            if (closed || running || wanted) {
                return;
            }
            running = true;
        }
        handOver();
    }

    private void handOver() {
        try {
            fetcher.execute(this::fetchAndTimeTheNext);
        } catch (RejectedExecutionException closing) {
            synchronized (lock) {
                running = false;
            }
        }
    }

    private void fetchAndTimeTheNext() {
        try {
            fetch();
        } finally {
            synchronized (lock) {
                running = false;
                lastFetchNanos = System.nanoTime();
                if (wanted && !closed) {
                    timeWanted();
                }
            }
        }
    }

    private void fetch() {
        if (closed) {
            return;
        }
        try {
            keys = JWKSet.parse(new String(download(), StandardCharsets.UTF_8)).toPublicJWKSet();
            log.debug("JWKS {}: {} keys", shownUrl, keys.size());
        } catch (InterruptedException closing) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // The JDK names the whole URL in its messages ("... for URL: https://..."): shown without its secrets.
            String why = String.valueOf(e.getMessage()).replace(url.toString(), shownUrl);
            log.warn("JWKS {} could not be fetched ({}: {}); keeping {} cached keys", shownUrl, e.getClass().getSimpleName(),
                    why, keys.size());
        }
    }

    /**
     * The key set's bytes, within the timeouts and the deadline. HTTP/1.1 as the system's proxy settings say,
     * following redirects except from https to http, with a client of its own for each fetch: dropped after it, its
     * threads end once it is collected, so none stays for the minutes between fetches.
     */
    private byte[] download() throws IOException, InterruptedException, URISyntaxException {
        long start = System.nanoTime();
        long deadline = start + fetchDeadline.toNanos();
        // Receiving the headers or any of the body is progress; the connection has its own timeout before that.
        AtomicLong progress = new AtomicLong(start + CONNECT_TIMEOUT.toNanos());
        HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(CONNECT_TIMEOUT).followRedirects(HttpClient.Redirect.NORMAL);
        ProxySelector proxies = ProxySelector.getDefault();
        if (proxies != null) {
            builder.proxy(proxies);
        }
        HttpRequest request = HttpRequest.newBuilder(url.toURI()).timeout(fetchDeadline)
                .header("Accept", "application/json, application/jwk-set+json").GET().build();
        CompletableFuture<HttpResponse<byte[]>> exchange = builder.build().sendAsync(request, answer -> {
            progress.set(System.nanoTime());
            return answer.statusCode() / 100 == 2 ? new LimitedBody(SIZE_LIMIT, progress)
                    : HttpResponse.BodySubscribers.replacing(null);
        });
        try {
            while (true) {
                long now = System.nanoTime();
                long until = Math.min(deadline, progress.get() + READ_TIMEOUT.toNanos());
                if (now - until >= 0) {
                    throw new HttpTimeoutException(now - deadline >= 0
                            ? "not fetched within " + fetchDeadline.toMillis() + " ms"
                            : "nothing received for " + READ_TIMEOUT.toMillis() + " ms");
                }
                try {
                    HttpResponse<byte[]> response = exchange.get(until - now, TimeUnit.NANOSECONDS);
                    if (response.statusCode() / 100 != 2) {
                        throw new IOException("HTTP " + response.statusCode());
                    }
                    return response.body();
                } catch (TimeoutException notYet) {
                    // Progress may have moved the time out: look again.
                }
            }
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof IOException io ? io : new IOException(String.valueOf(cause), cause);
        } finally {
            exchange.cancel(true);
        }
    }

    /** A body collected up to a size, each part received counted as progress. */
    private static final class LimitedBody implements HttpResponse.BodySubscriber<byte[]> {

        private final int limit;
        private final AtomicLong progress;
        private final CompletableFuture<byte[]> body = new CompletableFuture<>();
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private Flow.Subscription subscription;

        LimitedBody(int limit, AtomicLong progress) {
            this.limit = limit;
            this.progress = progress;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return body;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> parts) {
            progress.set(System.nanoTime());
            for (ByteBuffer part : parts) {
                if (body.isDone()) {
                    return;
                }
                if (bytes.size() + part.remaining() > limit) {
                    subscription.cancel();
                    body.completeExceptionally(new IOException("larger than " + limit + " bytes"));
                    return;
                }
                byte[] chunk = new byte[part.remaining()];
                part.get(chunk);
                bytes.write(chunk, 0, chunk.length);
            }
        }

        @Override
        public void onError(Throwable error) {
            body.completeExceptionally(error);
        }

        @Override
        public void onComplete() {
            body.complete(bytes.toByteArray());
        }
    }

    @Override
    public void close() {
        closed = true;
        if (periodic != null) {
            periodic.cancel(false);
        }
        synchronized (lock) {
            if (wantedStart != null) {
                wantedStart.cancel(false);
            }
        }
        fetcher.shutdownNow();
        if (ownsRefresher) {
            refresher.shutdownNow();
        }
    }
}
