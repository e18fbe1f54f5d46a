package io.realtime.gateway.admin;

import io.lettuce.core.RedisClient;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletionStage;

/**
 * Sessions every node of the cluster sees: the keys {@code socket.io-admin#<id>} with a 24-hour expiry, exactly as
 * {@code @socket.io/admin-ui}'s {@code RedisStore} writes them, over lettuce's asynchronous API.
 */
final class RedisAdminSessions implements AdminSessions {

    private static final Logger log = LoggerFactory.getLogger(RedisAdminSessions.class);

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisAsyncCommands<String, String> redis;

    private RedisAdminSessions(RedisClient client, StatefulRedisConnection<String, String> connection) {
        this.client = client;
        this.connection = connection;
        this.redis = connection.async();
    }

    /** Connects now (at start, never on an event loop). */
    static RedisAdminSessions connect(String redisUrl) {
        RedisClient client = RedisClient.create(redisUrl);
        try {
            return new RedisAdminSessions(client, client.connect());
        } catch (RuntimeException e) {
            client.shutdown();
            throw e;
        }
    }

    @Override
    public CompletionStage<Boolean> exists(String sessionId) {
        return redis.exists(KEY_PREFIX + sessionId).thenApply(count -> count != null && count > 0);
    }

    @Override
    public void save(String sessionId) {
        // "true" is what RedisStore's SET key true stores.
        redis.set(KEY_PREFIX + sessionId, "true", SetArgs.Builder.ex(DURATION.toSeconds()))
                .exceptionally(failure -> {
                    log.warn("Admin UI session not saved in Redis: {}", failure.toString());
                    return null;
                });
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown();
    }
}
