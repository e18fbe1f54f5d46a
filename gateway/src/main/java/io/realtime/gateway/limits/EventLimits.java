package io.realtime.gateway.limits;

/**
 * Per-connection inbound event limits.
 *
 * @param ratePerSecond       sustained events per second a connection may send ({@code 0}: unlimited)
 * @param burst               events it may send at once
 * @param disconnectAfter     refused events in a row after which the connection is closed as abusive
 */
public record EventLimits(int ratePerSecond, int burst, int disconnectAfter) {

    public static final EventLimits UNLIMITED = new EventLimits(0, 0, 0);

    /** A fresh bucket for one connection, or {@code null} when events are unlimited. */
    public TokenBucket newBucket() {
        return ratePerSecond <= 0 ? null : new TokenBucket(ratePerSecond, Math.max(burst, 1));
    }
}
