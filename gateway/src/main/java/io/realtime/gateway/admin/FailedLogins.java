package io.realtime.gateway.admin;

import io.realtime.gateway.admission.Admission;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Password logins per client address: after {@link #MAX_ATTEMPTS} that did not succeed within any {@link #WINDOW}
 * (a rolling one: no more fit across the edge of a fixed minute), the address's further attempts are refused for
 * {@link #BLOCK} without their password being hashed. Without it, anyone who knew the username could try passwords
 * without limit and keep the UI's hashing thread busy, so that operators got "too many logins at once". An attempt
 * counts from the moment it is let through, until it succeeds: attempts sent all at once are limited as well as
 * attempts one after the other. A success from the address clears it; an attempt whose password was never checked
 * is taken back ({@link #notChecked}). Addresses are counted as {@link #keyOf} says. At most {@link #MAX_ADDRESSES}
 * addresses are tracked (the least recently seen goes first), each with at most {@link #MAX_ATTEMPTS} times.
 */
final class FailedLogins {

    static final int MAX_ATTEMPTS = 5;
    static final Duration WINDOW = Duration.ofMinutes(1);
    static final Duration BLOCK = Duration.ofMinutes(1);
    static final int MAX_ADDRESSES = 10_000;

    private static final class Attempts {
        /** When the attempts still within the window were let through, oldest first; never more than MAX_ATTEMPTS. */
        final ArrayDeque<Long> times = new ArrayDeque<>(MAX_ATTEMPTS);
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

    /**
     * What a client's failures count under: its IP address without the port (the proxy's client address when the
     * connection came through a trusted one), an IPv6 one by its /64 as the node's
     * per-address connection limits count it ({@link Admission#limitKey}); otherwise one client could take a new
     * address of its /64 for every try and never be limited.
     */
    static String keyOf(SocketAddress remote) {
        if (remote instanceof InetSocketAddress inet) {
            return inet.getAddress() != null ? Admission.limitKey(inet.getAddress()).getHostAddress() : inet.getHostString();
        }
        return String.valueOf(remote);
    }

    /** Whether a password login from {@code address} may be checked now; if so it counts as failed until {@link #succeeded}. */
    synchronized boolean tryAttempt(String address) {
        long now = clock.millis();
        Attempts attempts = byAddress.computeIfAbsent(address, key -> new Attempts());
        if (attempts.blockedUntil > now) {
            return false;
        }
        while (!attempts.times.isEmpty() && now - attempts.times.peekFirst() >= WINDOW.toMillis()) {
            attempts.times.pollFirst();
        }
        if (attempts.times.size() >= MAX_ATTEMPTS) {
            attempts.blockedUntil = now + BLOCK.toMillis();
            return false;
        }
        attempts.times.addLast(now);
        return true;
    }

    /**
     * An attempt {@link #tryAttempt} let through was refused before its password was checked (the hashing was too
     * busy to take it): it does not count, or an operator retrying after "busy" would lock the address out.
     */
    synchronized void notChecked(String address) {
        Attempts attempts = byAddress.get(address);
        if (attempts != null) {
            attempts.times.pollLast();
        }
    }

    /** A login from {@code address} succeeded: its earlier failures no longer count. */
    synchronized void succeeded(String address) {
        byAddress.remove(address);
    }

    synchronized int trackedAddresses() {
        return byAddress.size();
    }
}
