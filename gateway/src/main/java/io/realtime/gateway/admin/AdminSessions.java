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

    /** Redis key prefix, {@code RedisStore}'s default, so Node.js nodes with {@code instrument()} share the sessions. */
    String KEY_PREFIX = "socket.io-admin#";

    CompletionStage<Boolean> exists(String sessionId);

    void save(String sessionId);

    @Override
    default void close() {
    }
}
