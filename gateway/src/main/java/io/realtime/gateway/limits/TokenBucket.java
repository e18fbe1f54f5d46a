package io.realtime.gateway.limits;

import io.netty.util.concurrent.Ticker;

/**
 * A token bucket: {@code capacity} tokens, refilled at {@code ratePerSecond}. Not thread-safe: each bucket belongs
 * to one connection, used on its event loop (or guarded by its owner).
 */
public final class TokenBucket {

    private final double capacity;
    private final double tokensPerNano;
    private final Ticker ticker;
    private double tokens;
    private long refilledAt;

    public TokenBucket(double ratePerSecond, double capacity) {
        this(ratePerSecond, capacity, Ticker.systemTicker());
    }

    /** @param ticker the clock (an event loop's, or a mock one in tests) */
    public TokenBucket(double ratePerSecond, double capacity, Ticker ticker) {
        this.capacity = capacity;
        this.tokensPerNano = ratePerSecond / 1_000_000_000.0;
        this.ticker = ticker;
        this.tokens = capacity;
        this.refilledAt = ticker.nanoTime();
    }

    /** Takes one token if there is one. */
    public boolean tryTake() {
        long now = ticker.nanoTime();
        tokens = Math.min(capacity, tokens + (now - refilledAt) * tokensPerNano);
        refilledAt = now;
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }

    /** Whether the bucket is full again (its owner may forget it). */
    public boolean isIdle() {
        return tokens + (ticker.nanoTime() - refilledAt) * tokensPerNano >= capacity;
    }
}
