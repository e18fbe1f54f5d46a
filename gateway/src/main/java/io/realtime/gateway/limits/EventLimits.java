package io.realtime.gateway.limits;

import java.time.Duration;

/**
 * Per-connection inbound event limits.
 *
 * @param ratePerSecond       sustained events per second a connection may send ({@code 0}: unlimited)
 * @param burst               events it may send at once
 * @param disconnectAfter     refused events after which the connection is closed as abusive, counted until
 *                            {@link #REFUSALS_FORGOTTEN_AFTER} passes without a refusal (events handled meanwhile
 *                            do not reset the count)
 */
public record EventLimits(int ratePerSecond, int burst, int disconnectAfter) {

    public static final EventLimits UNLIMITED = new EventLimits(0, 0, 0);
    /** How long a connection goes without a refused event before its count of refusals starts again. */
    public static final Duration REFUSALS_FORGOTTEN_AFTER = Duration.ofSeconds(1);

    /** A fresh bucket for one connection, or {@code null} when events are unlimited. */
    public TokenBucket newBucket() {
        return ratePerSecond <= 0 ? null : new TokenBucket(ratePerSecond, Math.max(burst, 1));
    }
}
