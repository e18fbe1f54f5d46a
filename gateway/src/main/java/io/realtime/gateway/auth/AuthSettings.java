package io.realtime.gateway.auth;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * How clients are authenticated.
 *
 * @param mode               {@code none}: clients may name themselves ({@code auth.userId}, unverified);
 *                           {@code jwt}: a signed token names them, on every namespace not named public
 * @param secret             HS256/384/512 shared secret ({@code JWT_SECRET})
 * @param publicKeyFile      PEM public key for RS/PS/ES tokens ({@code JWT_PUBLIC_KEY_FILE})
 * @param jwksUrl            JWKS endpoint ({@code JWT_JWKS_URL})
 * @param issuer             required {@code iss}, when set
 * @param audience           required {@code aud}, when set
 * @param publicNamespaces   namespaces anonymous clients may join ({@code AUTH_PUBLIC_NAMESPACES}; default none)
 * @param requiredNamespaces the deprecated {@code AUTH_REQUIRED_NAMESPACES}: when set, the namespaces it names
 *                           ({@code *}: all) need a token and every other one is public, as before; kept so that
 *                           an existing configuration means what it meant, with a warning in the start log
 * @param tokenExpiryGrace   how long after its token's {@code exp} a socket is disconnected ({@code token_expired})
 */
public record AuthSettings(
        Mode mode,
        Optional<String> secret,
        Optional<Path> publicKeyFile,
        Optional<String> jwksUrl,
        Optional<String> issuer,
        Optional<String> audience,
        Set<String> publicNamespaces,
        Optional<Set<String>> requiredNamespaces,
        Duration tokenExpiryGrace) {

    public enum Mode { NONE, JWT }

    public static final Duration DEFAULT_TOKEN_EXPIRY_GRACE = Duration.ofSeconds(30);

    public AuthSettings {
        publicNamespaces = Set.copyOf(publicNamespaces);
        if (tokenExpiryGrace == null || tokenExpiryGrace.isNegative()) {
            throw new IllegalArgumentException("tokenExpiryGrace must be zero or more: " + tokenExpiryGrace);
        }
    }

    public static AuthSettings none() {
        return new AuthSettings(Mode.NONE, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Set.of(), Optional.empty(), DEFAULT_TOKEN_EXPIRY_GRACE);
    }
}
