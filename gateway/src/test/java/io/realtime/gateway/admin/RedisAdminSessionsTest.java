package io.realtime.gateway.admin;

import io.realtime.cluster.SharedKeys;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/** The sessions' keys and values in Redis, against one shared map standing in for the Redis server. */
class RedisAdminSessionsTest {

    private static final String FINGERPRINT = AdminSessionFingerprint.of("admin", "$2b$10$first");

    /** One Redis server for every store of a test (the TTL is left out: expiry is Redis's). */
    private final Map<String, String> redis = new ConcurrentHashMap<>();
    private final SharedKeys keys = new SharedKeys() {
        @Override
        public CompletionStage<String> get(String key) {
            return CompletableFuture.completedFuture(redis.get(key));
        }

        @Override
        public CompletionStage<Void> set(String key, String value, Duration ttl) {
            redis.put(key, value);
            return CompletableFuture.completedFuture(null);
        }
    };

    @Test
    void withTheDefaultKeyTheSessionIsWhereRedisStorePutsIt() {
        new RedisAdminSessions(keys, AdminSessions.keyPrefix("socket.io"), FINGERPRINT).save("abc");
        assertThat(redis).containsOnlyKeys("socket.io-admin#abc");
        assertThat(redis.get("socket.io-admin#abc")).isEqualTo(FINGERPRINT).doesNotContain("first");
    }

    @Test
    void aClusterWithAnotherKeyOnTheSameRedisDoesNotAcceptTheSession() {
        RedisAdminSessions staging = new RedisAdminSessions(keys, AdminSessions.keyPrefix("staging"), FINGERPRINT);
        RedisAdminSessions production = new RedisAdminSessions(keys, AdminSessions.keyPrefix("production"), FINGERPRINT);
        staging.save("abc");
        assertThat(staging.exists("abc").toCompletableFuture().join()).isTrue();
        assertThat(production.exists("abc").toCompletableFuture().join()).isFalse();
    }

    @Test
    void aRotatedPasswordHashEndsTheSessionsMadeWithTheOldOne() {
        String prefix = AdminSessions.keyPrefix("socket.io");
        new RedisAdminSessions(keys, prefix, FINGERPRINT).save("abc");
        RedisAdminSessions rotated = new RedisAdminSessions(keys, prefix, AdminSessionFingerprint.of("admin", "$2b$10$second"));
        assertThat(rotated.exists("abc").toCompletableFuture().join()).isFalse();
        rotated.save("def");
        assertThat(rotated.exists("def").toCompletableFuture().join()).isTrue();
    }

    @Test
    void aSessionWrittenByRedisStoreOrForgedIsNotAccepted() {
        String prefix = AdminSessions.keyPrefix("socket.io");
        redis.put(prefix + "abc", "true");
        redis.put(prefix + "def", FINGERPRINT.substring(0, 63));
        RedisAdminSessions sessions = new RedisAdminSessions(keys, prefix, FINGERPRINT);
        assertThat(sessions.exists("abc").toCompletableFuture().join()).isFalse();
        assertThat(sessions.exists("def").toCompletableFuture().join()).isFalse();
        assertThat(sessions.exists("none").toCompletableFuture().join()).isFalse();
    }
}
