package io.realtime.gateway.admin;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/** Sessions of a single node, kept for {@link AdminSessions#DURATION} (Node's {@code InMemoryStore} keeps them forever). */
final class InMemoryAdminSessions implements AdminSessions {

    private final Map<String, Long> expiries = new ConcurrentHashMap<>();
    private final Clock clock;

    InMemoryAdminSessions(Clock clock) {
        this.clock = clock;
    }

    @Override
    public CompletionStage<Boolean> exists(String sessionId) {
        Long expiry = expiries.get(sessionId);
        if (expiry != null && expiry <= clock.millis()) {
            expiries.remove(sessionId, expiry);
            expiry = null;
        }
        return CompletableFuture.completedFuture(expiry != null);
    }

    @Override
    public void save(String sessionId) {
        long now = clock.millis();
        // Expired entries go when a new one comes: the map stays as small as the live sessions.
        expiries.values().removeIf(expiry -> expiry <= now);
        expiries.put(sessionId, now + DURATION.toMillis());
    }
}
