package io.realtime.gateway.limits;

/**
 * A token bucket: {@code capacity} tokens, refilled at {@code ratePerSecond}. Not thread-safe: each bucket belongs
 * to one connection, used on its event loop (or guarded by its owner).
 */
public final class TokenBucket {

    private final double capacity;
    private final double tokensPerNano;
    private double tokens;
    private long refilledAt;

    public TokenBucket(double ratePerSecond, double capacity) {
        this.capacity = capacity;
        this.tokensPerNano = ratePerSecond / 1_000_000_000.0;
        this.tokens = capacity;
        this.refilledAt = System.nanoTime();
    }

    /** Takes one token if there is one. */
    public boolean tryTake() {
        long now = System.nanoTime();
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
        long now = System.nanoTime();
        return tokens + (now - refilledAt) * tokensPerNano >= capacity;
    }
}
