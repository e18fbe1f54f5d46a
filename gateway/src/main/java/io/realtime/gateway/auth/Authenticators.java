package io.realtime.gateway.auth;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;

/** The authenticator that the settings call for, with the verifier of their key source. */
public final class Authenticators {

    private static final Logger log = LoggerFactory.getLogger(Authenticators.class);
    private static final Duration JWKS_REFRESH = Duration.ofMinutes(5);
    private static final Duration JWKS_MINIMUM_GAP = Duration.ofSeconds(30);
    /** The most a handshake lets a token's clock differ from this node's: nimbus's default. */
    static final Duration MAX_CLOCK_SKEW = Duration.ofSeconds(60);

    private Authenticators() {
    }

    /**
     * @param scheduler where a JWKS key set is refreshed and expired tokens' sockets are ended (the node's shared
     *                  scheduler; it stops with it)
     */
    public static HandshakeAuthenticator of(AuthSettings auth, ScheduledExecutorService scheduler) {
        if (auth.mode() == AuthSettings.Mode.NONE) {
            log.warn("AUTH_MODE=none: clients are not authenticated and may name themselves (auth.userId)");
            return HandshakeAuthenticator.trusting();
        }
        auth.requiredNamespaces().ifPresent(required -> log.warn(
                "AUTH_REQUIRED_NAMESPACES={} is deprecated and keeps its old meaning: every namespace it does not name"
                        + " is public. Remove it (every namespace then needs a token) and name public namespaces in"
                        + " AUTH_PUBLIC_NAMESPACES", required));
        log.info("AUTH_MODE=jwt: every namespace needs a valid token except public ones (AUTH_PUBLIC_NAMESPACES={},"
                + " and gateways declared public)", auth.publicNamespaces());
        return new HandshakeAuthenticator(AuthSettings.Mode.JWT, verifier(auth, scheduler).clockSkew(clockSkew(auth.tokenExpiryGrace())),
                new NamespaceAccess(auth.publicNamespaces(), auth.requiredNamespaces()),
                scheduler == null ? null : new TokenExpiry(scheduler, auth.tokenExpiryGrace(), Clock.systemUTC()));
    }

    /**
     * The clock skew a handshake allows: no more than the grace after which a connected socket's expired token ends
     * it (a token the handshake accepts must not end its socket at once), and no more than {@link #MAX_CLOCK_SKEW}
     * however long that grace is (a grace of a day is for sockets already connected, not for tokens a day old).
     */
    static Duration clockSkew(Duration tokenExpiryGrace) {
        return tokenExpiryGrace.compareTo(MAX_CLOCK_SKEW) < 0 ? tokenExpiryGrace : MAX_CLOCK_SKEW;
    }

    private static boolean isLoopback(String host) {
        return host != null && (host.equalsIgnoreCase("localhost") || host.startsWith("127.") || host.equals("[::1]"));
    }

    private static JwtVerifier verifier(AuthSettings auth, ScheduledExecutorService scheduler) {
        String issuer = auth.issuer().orElse(null);
        String audience = auth.audience().orElse(null);
        try {
            if (auth.secret().isPresent()) {
                JwtVerifier verifier = JwtVerifier.withSecret(auth.secret().get(), issuer, audience);
                // HS384 and HS512 take longer secrets: tokens signed so would be refused with nothing in the log.
                JwtVerifier.hmacLimits(auth.secret().get().getBytes(StandardCharsets.UTF_8).length).ifPresent(log::info);
                return verifier;
            }
            if (auth.publicKeyFile().isPresent()) {
                return JwtVerifier.withPublicKeyPem(Files.readString(auth.publicKeyFile().get()), issuer, audience);
            }
            URI jwks = URI.create(auth.jwksUrl().orElseThrow());
            if ("http".equalsIgnoreCase(jwks.getScheme()) && !isLoopback(jwks.getHost())) {
                log.warn("JWT_JWKS_URL={} is plain http: whoever can change that traffic can sign tokens this node accepts;"
                        + " use https unless the issuer is reached over a network you trust", JwksKeyCache.shown(jwks.toString()));
            }
            JwksKeyCache keys = new JwksKeyCache(jwks.toURL(), JWKS_REFRESH, JWKS_MINIMUM_GAP, scheduler).start();
            return JwtVerifier.withJwks(keys, issuer, audience);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
