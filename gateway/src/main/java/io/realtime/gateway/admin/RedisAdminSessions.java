package io.realtime.gateway.admin;

import io.realtime.cluster.SharedKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletionStage;

/**
 * Sessions every node of the cluster sees: the keys {@code <redisKey>-admin#<id>} ({@code socket.io-admin#<id>}
 * with the default key, {@code @socket.io/admin-ui}'s {@code RedisStore} layout) with a 24-hour expiry, through the
 * cluster's own Redis connection (a single server, Sentinel or a Redis Cluster; its timeouts, and its failing fast
 * while Redis is away). The value is not {@code RedisStore}'s {@code "true"} but the fingerprint of the credential
 * the session was made with ({@link AdminSessionFingerprint}), and a session counts only while that credential is
 * the configured one: a rotated password hash ends the sessions made with the old one.
 */
final class RedisAdminSessions implements AdminSessions {

    private static final Logger log = LoggerFactory.getLogger(RedisAdminSessions.class);

    private final SharedKeys keys;
    private final String keyPrefix;
    private final String fingerprint;

    /**
     * @param keyPrefix   {@link AdminSessions#keyPrefix} of the cluster's key
     * @param fingerprint the configured credential's {@link AdminSessionFingerprint}
     */
    RedisAdminSessions(SharedKeys keys, String keyPrefix, String fingerprint) {
        this.keys = keys;
        this.keyPrefix = keyPrefix;
        this.fingerprint = fingerprint;
    }

    @Override
    public CompletionStage<Boolean> exists(String sessionId) {
        return keys.get(keyPrefix + sessionId).thenApply(value -> AdminSessionFingerprint.matches(fingerprint, value));
    }

    @Override
    public void save(String sessionId) {
        keys.set(keyPrefix + sessionId, fingerprint, DURATION).exceptionally(failure -> {
            log.warn("Admin UI session not saved in Redis: {}", failure.toString());
            return null;
        });
    }
}
