package io.realtime.gateway.admin;

import at.favre.lib.crypto.bcrypt.BCrypt;
import at.favre.lib.crypto.bcrypt.LongPasswordStrategies;
import com.corundumstudio.socketio.AuthTokenListener;
import com.corundumstudio.socketio.AuthTokenResult;
import com.corundumstudio.socketio.SocketIOClient;
import io.realtime.gateway.socketio.DeferredAuth;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * The admin namespace's middleware from {@code instrument()}: a known {@code auth.sessionId} is let in; otherwise
 * {@code auth.username} and {@code auth.password} must match the configured name and bcrypt hash, and then a new
 * session is saved and sent to the UI as the {@code session} event. Anything else is refused with the message the
 * UI recognises, {@code "invalid credentials"}. The hash is checked on {@code hashing} and sessions are looked up
 * asynchronously: no event loop waits.
 */
final class AdminAuthenticator implements AuthTokenListener {

    static final String INVALID_CREDENTIALS = "invalid credentials";

    private static final Logger log = LoggerFactory.getLogger(AdminAuthenticator.class);
    private static final AuthTokenResult REFUSED = new AuthTokenResult(false, INVALID_CREDENTIALS);
    /** Not "invalid credentials": the password was not even checked, and the UI must not say it was wrong. */
    private static final AuthTokenResult BUSY = new AuthTokenResult(false, "too many logins at once: try again shortly");
    /** Refused without checking the password: this address failed too often ({@link FailedLogins}). */
    static final String TOO_MANY_FAILURES = "too many failed logins from this address: try again in a minute";
    private static final AuthTokenResult THROTTLED = new AuthTokenResult(false, TOO_MANY_FAILURES);
    /** How long a new session waits for its connection's CONNECT answer before it is forgotten (the connection left). */
    private static final long NEW_SESSION_NANOS = java.util.concurrent.TimeUnit.MINUTES.toNanos(1);

    private final String username;
    private final byte[] passwordHash;
    private final AdminSessions sessions;
    /**
     * As bcrypt itself and bcryptjs (the Admin UI's own server): a password counts up to its 72nd byte. The library's
     * default refuses a longer one with an exception, which answered a right password "Not authorized".
     */
    private static final BCrypt.Verifyer VERIFYER = BCrypt.verifyer(null, LongPasswordStrategies.none());

    private final Executor hashing;
    private final FailedLogins failedLogins;
    private final SecureRandom random = new SecureRandom();
    /**
     * Sessions created for sockets whose CONNECT is being answered, by socket id; taken by {@link #takeNewSession},
     * or forgotten after a minute when the connection went away meanwhile.
     */
    private final Map<UUID, NewSession> newSessions = new ConcurrentHashMap<>();

    private record NewSession(String id, long createdAt) {
    }

    AdminAuthenticator(String username, String passwordHash, AdminSessions sessions, Executor hashing,
                       FailedLogins failedLogins) {
        this.username = username;
        this.passwordHash = passwordHash.getBytes(StandardCharsets.UTF_8);
        this.sessions = sessions;
        this.hashing = hashing;
        this.failedLogins = failedLogins;
    }

    @Override
    public AuthTokenResult getAuthTokenResult(Object authData, SocketIOClient client) {
        Map<?, ?> auth = authData instanceof Map<?, ?> map ? map : Map.of();
        UUID connection = client.getSessionId();
        String address = FailedLogins.keyOf(client.getRemoteAddress());
        CompletionStage<Boolean> knownSession = auth.get("sessionId") instanceof String id && !id.isEmpty() && id.length() <= 64
                ? sessions.exists(id) : CompletableFuture.completedFuture(false);
        return new DeferredAuth(knownSession.exceptionally(failure -> {
            log.warn("Admin UI session lookup failed: {}", failure.toString());
            return false;
        }).thenCompose(known -> known
                ? CompletableFuture.completedFuture(AuthTokenResult.AuthTokenResultSuccess)
                : checkPassword(auth, connection, address)));
    }

    private CompletionStage<AuthTokenResult> checkPassword(Map<?, ?> auth, UUID connection, String address) {
        if (!auth.containsKey("username") && !auth.containsKey("password")) {
            // No login attempted (a session id alone, or nothing): nothing to count.
            return CompletableFuture.completedFuture(REFUSED);
        }
        // Before anything else, a wrong username included: the answer must not tell a valid name from an invalid one.
        if (!failedLogins.tryAttempt(address)) {
            return CompletableFuture.completedFuture(THROTTLED);
        }
        if (!(auth.get("password") instanceof String password) || password.length() > 1024) {
            return CompletableFuture.completedFuture(REFUSED);
        }
        // A wrong name is hashed all the same: answering it sooner would tell which names are right.
        boolean nameMatches = auth.get("username") instanceof String name && MessageDigest.isEqual(
                name.getBytes(StandardCharsets.UTF_8), username.getBytes(StandardCharsets.UTF_8));
        try {
            return CompletableFuture.supplyAsync(() -> {
                boolean passwordMatches = VERIFYER.verify(password.getBytes(StandardCharsets.UTF_8), passwordHash).verified;
                if (!nameMatches || !passwordMatches) {
                    return REFUSED;
                }
                failedLogins.succeeded(address);
                String sessionId = HexFormat.of().formatHex(randomBytes());
                sessions.save(sessionId);
                long now = System.nanoTime();
                newSessions.values().removeIf(old -> now - old.createdAt() > NEW_SESSION_NANOS);
                newSessions.put(connection, new NewSession(sessionId, now));
                return AuthTokenResult.AuthTokenResultSuccess;
            }, hashing);
        } catch (RejectedExecutionException e) {
            // More logins at once than hashing keeps up with: refuse rather than queue without bound. The password
            // was not checked, so the attempt does not count against the address.
            failedLogins.notChecked(address);
            return CompletableFuture.completedFuture(BUSY);
        }
    }

    /** The session created when this socket logged in with its password, once; empty for a session login. */
    java.util.Optional<String> takeNewSession(UUID socket) {
        return java.util.Optional.ofNullable(newSessions.remove(socket)).map(NewSession::id);
    }

    private byte[] randomBytes() {
        byte[] bytes = new byte[8];
        random.nextBytes(bytes);
        return bytes;
    }
}
