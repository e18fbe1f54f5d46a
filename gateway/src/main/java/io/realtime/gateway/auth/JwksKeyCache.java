package io.realtime.gateway.auth;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Signing keys from a JWKS endpoint, kept in memory. Token checks only read the cached set, so they never wait on
 * the network; the set is fetched at start, every refresh interval, and soon after a token names a key the set does
 * not have (rate-limited, for key rotation). The scheduler only times the fetches: each runs on a thread of the
 * cache's own that exists while one runs, so a slow endpoint holds neither the node's shared scheduler (token expiry,
 * the dashboard) nor a thread while idle.
 */
public final class JwksKeyCache implements JWKSource<SecurityContext>, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(JwksKeyCache.class);
    private static final int TIMEOUT_MILLIS = 5000;
    private static final int SIZE_LIMIT = 512 * 1024;

    private final URL url;
    private final String shownUrl;
    private final Duration refreshInterval;
    private final Duration minimumRefreshGap;
    private final ScheduledExecutorService refresher;
    private final boolean ownsRefresher;
    private volatile java.util.concurrent.ScheduledFuture<?> periodic;
    private volatile boolean closed;
    private final AtomicBoolean refreshQueued = new AtomicBoolean();
    private final ThreadPoolExecutor fetcher = fetcher();
    private volatile JWKSet keys = new JWKSet();
    private volatile Instant lastFetch = Instant.EPOCH;

    /** A cache with a refresh thread of its own, stopped by {@link #close()}. */
    public JwksKeyCache(URL url, Duration refreshInterval, Duration minimumRefreshGap) {
        this(url, refreshInterval, minimumRefreshGap, Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "jwks-refresh");
            thread.setDaemon(true);
            return thread;
        }), true);
    }

    /** A cache timed by a scheduler it shares with other periodic work (the node's), which its fetches never block. */
    public JwksKeyCache(URL url, Duration refreshInterval, Duration minimumRefreshGap, ScheduledExecutorService scheduler) {
        this(url, refreshInterval, minimumRefreshGap, scheduler, false);
    }

    private JwksKeyCache(URL url, Duration refreshInterval, Duration minimumRefreshGap, ScheduledExecutorService scheduler,
                         boolean ownsScheduler) {
        this.url = url;
        this.shownUrl = shown(url.toString());
        this.refreshInterval = refreshInterval;
        this.minimumRefreshGap = minimumRefreshGap;
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

    /** One thread at most, gone after a few idle seconds: a fetch every few minutes keeps no thread in between. */
    private static ThreadPoolExecutor fetcher() {
        ThreadPoolExecutor executor = new ThreadPoolExecutor(1, 1, 5, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), runnable -> {
            Thread thread = new Thread(runnable, "jwks-fetch");
            thread.setDaemon(true);
            return thread;
        });
        executor.allowCoreThreadTimeOut(true);
        return executor;
    }

    /** Fetches once now (on the caller's thread, at start-up) and schedules the periodic refresh. */
    public JwksKeyCache start() {
        fetch();
        periodic = refresher.scheduleWithFixedDelay(this::fetchInBackground, refreshInterval.toMillis(),
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

    private void requestRefresh() {
        Instant earliest = lastFetch.plus(minimumRefreshGap);
        if (refreshQueued.compareAndSet(false, true)) {
            long delay = Math.max(0, Duration.between(Instant.now(), earliest).toMillis());
            refresher.schedule(() -> {
                refreshQueued.set(false);
                fetchInBackground();
            }, delay, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Queued behind a fetch under way, not merged with it: that one may have read the set before a rotated key was
     * published. Refreshes are at most one per minimum gap, so the queue stays short even while the endpoint hangs.
     */
    private void fetchInBackground() {
        if (closed) {
            return;
        }
        try {
            fetcher.execute(this::fetch);
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            // Closed meanwhile.
        }
    }

    private void fetch() {
        if (closed) {
            return;
        }
        try {
            keys = JWKSet.load(url, TIMEOUT_MILLIS, TIMEOUT_MILLIS, SIZE_LIMIT).toPublicJWKSet();
            log.debug("JWKS {}: {} keys", shownUrl, keys.size());
        } catch (Exception e) {
            // The JDK names the whole URL in its messages ("... for URL: https://..."): shown without its secrets.
            String why = String.valueOf(e.getMessage()).replace(url.toString(), shownUrl);
            log.warn("JWKS {} could not be fetched ({}: {}); keeping {} cached keys", shownUrl, e.getClass().getSimpleName(),
                    why, keys.size());
        } finally {
            lastFetch = Instant.now();
        }
    }

    @Override
    public void close() {
        closed = true;
        if (periodic != null) {
            periodic.cancel(false);
        }
        fetcher.shutdownNow();
        if (ownsRefresher) {
            refresher.shutdownNow();
        }
    }
}
