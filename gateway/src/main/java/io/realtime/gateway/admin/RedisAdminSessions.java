package io.realtime.gateway.admin;

import io.realtime.cluster.SharedKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletionStage;

/**
 * Sessions every node of the cluster sees: the keys {@code socket.io-admin#<id>} with a 24-hour expiry, exactly as
 * {@code @socket.io/admin-ui}'s {@code RedisStore} writes them, through the cluster's own Redis connection (a single
 * server, Sentinel or a Redis Cluster; its timeouts, and its failing fast while Redis is away).
 */
final class RedisAdminSessions implements AdminSessions {

    private static final Logger log = LoggerFactory.getLogger(RedisAdminSessions.class);

    private final SharedKeys keys;

    RedisAdminSessions(SharedKeys keys) {
        this.keys = keys;
    }

    @Override
    public CompletionStage<Boolean> exists(String sessionId) {
        return keys.get(KEY_PREFIX + sessionId).thenApply(value -> value != null);
    }

    @Override
    public void save(String sessionId) {
        // "true" is what RedisStore's SET key true stores.
        keys.set(KEY_PREFIX + sessionId, "true", DURATION).exceptionally(failure -> {
            log.warn("Admin UI session not saved in Redis: {}", failure.toString());
            return null;
        });
    }
}
