package io.realtime.gateway.admin;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * Sessions of logged-in Admin UI users, so a reload logs in again with {@code auth.sessionId} instead of the
 * password ({@code @socket.io/admin-ui}'s {@code Store}). Never blocks: lookups answer later.
 */
interface AdminSessions extends AutoCloseable {

    /** How long a session lasts ({@code RedisStore}'s {@code sessionDuration}: 24 hours). */
    Duration DURATION = Duration.ofDays(1);

    /**
     * The Redis key prefix of a cluster's sessions: {@code <redisKey>-admin#}. With the default {@code REDIS_KEY}
     * ({@code socket.io}) it is {@code socket.io-admin#}, {@code RedisStore}'s default; clusters with their own key
     * sharing a Redis server keep their sessions apart.
     */
    static String keyPrefix(String redisKey) {
        return redisKey + "-admin#";
    }

    /** True when the session exists, has not expired, and was made with the credential configured now. */
    CompletionStage<Boolean> exists(String sessionId);

    /** Saves a session made with the credential configured now. */
    void save(String sessionId);

    @Override
    default void close() {
    }
}
