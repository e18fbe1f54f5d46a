package io.realtime.gateway.admin;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sessions of a single node, kept for {@link AdminSessions#DURATION} (Node's {@code InMemoryStore} keeps them forever),
 * each bound to the credential it was made with ({@link AdminSessionFingerprint}), as the Redis ones are.
 */
final class InMemoryAdminSessions implements AdminSessions {

    private record Session(long expiry, String fingerprint) {
    }

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Clock clock;
    private final String fingerprint;

    /** @param fingerprint the configured credential's {@link AdminSessionFingerprint} */
    InMemoryAdminSessions(Clock clock, String fingerprint) {
        this.clock = clock;
        this.fingerprint = fingerprint;
    }

    @Override
    public CompletionStage<Boolean> exists(String sessionId) {
        Session session = sessions.get(sessionId);
        if (session != null && session.expiry() <= clock.millis()) {
            sessions.remove(sessionId, session);
            session = null;
        }
        return CompletableFuture.completedFuture(session != null
                && AdminSessionFingerprint.matches(fingerprint, session.fingerprint()));
    }

    @Override
    public void save(String sessionId) {
        long now = clock.millis();
        // Expired entries go when a new one comes: the map stays as small as the live sessions.
        sessions.values().removeIf(session -> session.expiry() <= now);
        sessions.put(sessionId, new Session(now + DURATION.toMillis(), fingerprint));
    }
}
