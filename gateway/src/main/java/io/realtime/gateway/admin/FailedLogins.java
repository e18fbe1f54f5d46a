package io.realtime.gateway.admin;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Password logins per client address: after {@link #MAX_ATTEMPTS} that did not succeed within {@link #WINDOW}, the
 * address's further attempts are refused for {@link #BLOCK} without their password being hashed. Without it, anyone
 * who knew the username could try passwords without limit and keep the UI's hashing thread busy, so that operators
 * got "too many logins at once". An attempt counts from the moment it is let through, until it succeeds: attempts
 * sent all at once are limited as well as attempts one after the other. A success from the address clears it.
 * At most {@link #MAX_ADDRESSES} addresses are tracked (the least recently seen goes first).
 */
final class FailedLogins {

    static final int MAX_ATTEMPTS = 5;
    static final Duration WINDOW = Duration.ofMinutes(1);
    static final Duration BLOCK = Duration.ofMinutes(1);
    static final int MAX_ADDRESSES = 10_000;

    private static final class Attempts {
        long windowStart;
        int count;
        long blockedUntil;
    }

    private final Clock clock;
    /** Access-ordered, so the eldest entry is the address seen least recently. Guarded by this. */
    private final Map<String, Attempts> byAddress = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Attempts> eldest) {
            return size() > MAX_ADDRESSES;
        }
    };

    FailedLogins(Clock clock) {
        this.clock = clock;
    }

    /** Whether a password login from {@code address} may be checked now; if so it counts as failed until {@link #succeeded}. */
    synchronized boolean tryAttempt(String address) {
        long now = clock.millis();
        Attempts attempts = byAddress.computeIfAbsent(address, key -> new Attempts());
        if (attempts.blockedUntil > now) {
            return false;
        }
        if (attempts.count == 0 || now - attempts.windowStart >= WINDOW.toMillis()) {
            attempts.windowStart = now;
            attempts.count = 0;
        }
        if (attempts.count >= MAX_ATTEMPTS) {
            attempts.blockedUntil = now + BLOCK.toMillis();
            return false;
        }
        attempts.count++;
        return true;
    }

    /** A login from {@code address} succeeded: its earlier failures no longer count. */
    synchronized void succeeded(String address) {
        byAddress.remove(address);
    }

    synchronized int trackedAddresses() {
        return byAddress.size();
    }
}
