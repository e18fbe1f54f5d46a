package io.realtime.gateway.auth;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.assertj.core.api.Assertions.assertThat;

class AuthenticatorsTest {

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
    void aMissingPublicKeyFileIsAnErrorAtStart() {
        AuthSettings jwt = new AuthSettings(AuthSettings.Mode.JWT, Optional.empty(), Optional.of(Path.of("/nonexistent/key.pem")),
                Optional.empty(), Optional.empty(), Optional.empty(), Set.of(), Optional.empty(),
                AuthSettings.DEFAULT_TOKEN_EXPIRY_GRACE);

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Authenticators.of(jwt, null))
                .isInstanceOf(java.io.UncheckedIOException.class);
    }
}
