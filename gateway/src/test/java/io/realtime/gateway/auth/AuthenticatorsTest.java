package io.realtime.gateway.auth;

import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class AuthenticatorsTest {

    @Test
    void aHandshakeAllowsTheTokenGraceAsClockSkewButNeverMoreThanAMinute() {
        assertThat(Authenticators.clockSkew(Duration.ofSeconds(30))).isEqualTo(Duration.ofSeconds(30));
        assertThat(Authenticators.clockSkew(Duration.ZERO)).isZero();
        // A day's grace is for sockets already connected, not for tokens a day old.
        assertThat(Authenticators.clockSkew(Duration.ofDays(1))).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void noAuthTrustsWhatClientsSayAndRequiresNoToken() {
        HandshakeAuthenticator authenticator = Authenticators.of(AuthSettings.none(), null);

        assertThat(authenticator.requiresToken("/chat", Optional.empty())).isFalse();
    }

    @Test
    void jwtRequiresATokenEverywhereExceptWhereTheSettingsOrTheGatewayNameANamespacePublic() {
        AuthSettings jwt = new AuthSettings(AuthSettings.Mode.JWT, Optional.of("0123456789abcdef0123456789abcdef"),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Set.of("/lobby"), Optional.empty(),
                AuthSettings.DEFAULT_TOKEN_EXPIRY_GRACE);

        HandshakeAuthenticator authenticator = Authenticators.of(jwt, null);

        assertThat(authenticator.requiresToken("/", Optional.empty())).isTrue();
        assertThat(authenticator.requiresToken("/dashboard", Optional.empty())).isTrue();
        assertThat(authenticator.requiresToken("/lobby", Optional.empty())).isFalse();
        assertThat(authenticator.requiresToken("/status", Optional.of("StatusGateway"))).isFalse();
    }

    @Test
    void theDeprecatedRequiredNamespacesKeepTheirOldMeaning() {
        AuthSettings jwt = new AuthSettings(AuthSettings.Mode.JWT, Optional.of("0123456789abcdef0123456789abcdef"),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Set.of(), Optional.of(Set.of("/admin")),
                AuthSettings.DEFAULT_TOKEN_EXPIRY_GRACE);

        HandshakeAuthenticator authenticator = Authenticators.of(jwt, null);

        assertThat(authenticator.requiresToken("/admin", Optional.of("AdminGateway"))).isTrue();
        assertThat(authenticator.requiresToken("/chat", Optional.empty())).isFalse();
    }

    @Test
    void aJwksCacheOnTheNodesSchedulerLeavesTheSchedulerRunningWhenClosed() throws Exception {
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try {
            // Nothing listens on port 1: the first fetch fails at once and the cache keeps its empty set.
            JwksKeyCache cache = new JwksKeyCache(URI.create("http://127.0.0.1:1/jwks.json").toURL(), Duration.ofMinutes(5),
                    Duration.ofSeconds(30), scheduler).start();
            assertThat(cache.keyCount()).isZero();

            cache.close();

            assertThat(scheduler.isShutdown()).isFalse();
            assertThat(scheduler.submit(() -> "still running").get()).isEqualTo("still running");
        } finally {
            scheduler.shutdownNow();
        }
    }

    @Test
    void aJwksEndpointThatHangsDoesNotHoldTheNodesScheduler() throws Exception {
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger requests = new AtomicInteger();
        HttpServer jwks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        java.util.concurrent.ExecutorService answering = Executors.newCachedThreadPool();
        jwks.setExecutor(answering);
        jwks.createContext("/jwks.json", exchange -> {
            // The first fetch (at start) is answered; every later one hangs until the test is done.
            if (requests.incrementAndGet() > 1) {
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            byte[] body = "{\"keys\":[]}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        jwks.start();
        try (JwksKeyCache cache = new JwksKeyCache(URI.create("http://127.0.0.1:" + jwks.getAddress().getPort() + "/jwks.json").toURL(),
                Duration.ofMinutes(5), Duration.ZERO, scheduler).start()) {
            // A token naming a key the set lacks asks for a refresh, which hangs at the endpoint.
            cache.get(new JWKSelector(new JWKMatcher.Builder().keyID("rotated").build()), null);
            await().atMost(Duration.ofSeconds(5)).until(() -> requests.get() == 2);

            assertThat(scheduler.submit(() -> "on time").get(3, TimeUnit.SECONDS)).isEqualTo("on time");
            assertThat(release.getCount()).as("the refresh was still hanging").isEqualTo(1);
        } finally {
            release.countDown();
            jwks.stop(0);
            answering.shutdownNow();
            scheduler.shutdownNow();
        }
    }

    @Test
    void aSecretTooShortForHs384OrHs512SaysAtStartWhichAlgorithmsItVerifies() {
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(Authenticators.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged = new ch.qos.logback.core.read.ListAppender<>();
        logged.start();
        logger.addAppender(logged);
        try {
            Authenticators.of(jwtWithSecret("0123456789abcdef".repeat(3)), null);
            Authenticators.of(jwtWithSecret("0123456789abcdef".repeat(4)), null);
        } finally {
            logger.detachAppender(logged);
        }

        assertThat(logged.list.stream().map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
                .filter(message -> message.contains("JWT_SECRET")))
                .containsExactly("JWT_SECRET is 48 bytes: tokens signed with HS256 or HS384 are verified, others refused"
                        + " (HS512 needs 64 bytes)");
    }

    private static AuthSettings jwtWithSecret(String secret) {
        return new AuthSettings(AuthSettings.Mode.JWT, Optional.of(secret), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Set.of(), Optional.empty(), AuthSettings.DEFAULT_TOKEN_EXPIRY_GRACE);
    }

    @Test
    void aMissingPublicKeyFileIsAnErrorAtStart() {
        AuthSettings jwt = new AuthSettings(AuthSettings.Mode.JWT, Optional.empty(), Optional.of(Path.of("/nonexistent/key.pem")),
                Optional.empty(), Optional.empty(), Optional.empty(), Set.of(), Optional.empty(),
                AuthSettings.DEFAULT_TOKEN_EXPIRY_GRACE);

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Authenticators.of(jwt, null))
                .isInstanceOf(java.io.UncheckedIOException.class);
    }
}
