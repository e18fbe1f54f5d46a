package io.realtime.gateway.auth;

import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * How clients are authenticated.
 *
 * @param mode               {@code none}: clients may name themselves ({@code auth.userId}, unverified);
 *                           {@code jwt}: a signed token names them
 * @param secret             HS256/384/512 shared secret ({@code JWT_SECRET})
 * @param publicKeyFile      PEM public key for RS/PS/ES tokens ({@code JWT_PUBLIC_KEY_FILE})
 * @param jwksUrl            JWKS endpoint ({@code JWT_JWKS_URL})
 * @param issuer             required {@code iss}, when set
 * @param audience           required {@code aud}, when set
 * @param requiredNamespaces namespaces that need a token, overriding what gateways declare ({@code *}: all)
 */
public record AuthSettings(
        Mode mode,
        Optional<String> secret,
        Optional<Path> publicKeyFile,
        Optional<String> jwksUrl,
        Optional<String> issuer,
        Optional<String> audience,
        Optional<Set<String>> requiredNamespaces) {

    public enum Mode { NONE, JWT }

    public static AuthSettings none() {
        return new AuthSettings(Mode.NONE, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty());
    }
}
