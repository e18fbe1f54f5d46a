package io.realtime.gateway.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.ImmutableSecret;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;

import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.HashSet;
import java.util.Set;

/**
 * Verifies JWTs with nimbus-jose-jwt: HS256/384/512 with a shared secret, RS/PS/ES with a public key, or keys from a
 * JWKS endpoint ({@link JwksKeyCache}). {@code sub} is required and becomes the user id; {@code exp} is required;
 * issuer and audience are checked when configured.
 */
public final class JwtVerifier implements TokenVerifier {

    private static final Set<JWSAlgorithm> HMAC = Set.of(JWSAlgorithm.HS256, JWSAlgorithm.HS384, JWSAlgorithm.HS512);
    private static final Set<JWSAlgorithm> ASYMMETRIC = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512, JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512);
    private static final String EXPIRED_MESSAGE = "Expired JWT";

    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    private final DefaultJWTClaimsVerifier<SecurityContext> claimsVerifier;

    private JwtVerifier(JWKSource<SecurityContext> keys, Set<JWSAlgorithm> algorithms, String issuer, String audience) {
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(algorithms, keys));
        JWTClaimsSet.Builder exact = new JWTClaimsSet.Builder();
        if (issuer != null) {
            exact.issuer(issuer);
        }
        claimsVerifier = new DefaultJWTClaimsVerifier<>(audience, exact.build(), Set.of("sub", "exp"));
        processor.setJWTClaimsSetVerifier(claimsVerifier);
    }

    /**
     * How far past its {@code exp} (or before its {@code nbf}) a token is still accepted: the issuer's and this
     * node's clocks may differ by that much. nimbus's default is 60 s.
     */
    public JwtVerifier clockSkew(java.time.Duration skew) {
        claimsVerifier.setMaxClockSkew((int) Math.min(Integer.MAX_VALUE, skew.toSeconds()));
        return this;
    }

    /** HMAC with a shared secret of at least 32 bytes. */
    public static JwtVerifier withSecret(String secret, String issuer, String audience) {
        byte[] key = secret.getBytes(StandardCharsets.UTF_8);
        if (key.length < 32) {
            throw new IllegalArgumentException("JWT_SECRET must be at least 32 bytes for HS256");
        }
        return new JwtVerifier(new ImmutableSecret<>(key), HMAC, issuer, audience);
    }

    /** RSA or EC with a PEM-encoded public key ({@code PUBLIC KEY}) or certificate ({@code CERTIFICATE}). */
    public static JwtVerifier withPublicKeyPem(String pem, String issuer, String audience) {
        JWK key = PemPublicKeys.parse(pem);
        return new JwtVerifier(new ImmutableJWKSet<>(new JWKSet(key)), ASYMMETRIC, issuer, audience);
    }

    /** Keys from a JWKS endpoint, cached and refreshed in the background. */
    public static JwtVerifier withJwks(JwksKeyCache cache, String issuer, String audience) {
        Set<JWSAlgorithm> algorithms = new HashSet<>(ASYMMETRIC);
        return new JwtVerifier(cache, algorithms, issuer, audience);
    }

    @Override
    public Principal verify(String token) {
        JWTClaimsSet claims;
        try {
            claims = processor.process(token, null);
        } catch (BadJWTException e) {
            throw new TokenRejectedException(EXPIRED_MESSAGE.equals(e.getMessage())
                    ? AuthFailure.expired() : AuthFailure.unauthorized(lowerFirst(e.getMessage())));
        } catch (ParseException e) {
            throw new TokenRejectedException(AuthFailure.unauthorized("malformed token"));
        } catch (BadJOSEException e) {
            throw new TokenRejectedException(AuthFailure.unauthorized("invalid signature or unknown key"));
        } catch (JOSEException e) {
            throw new TokenRejectedException(AuthFailure.unauthorized("token could not be verified"));
        }
        String subject = claims.getSubject();
        if (subject.isBlank() || subject.length() > Principal.MAX_USER_ID_LENGTH) {
            // The user id names the user's notification room, which the backend API addresses by the same rule.
            throw new TokenRejectedException(AuthFailure.unauthorized(
                    "the token's sub must be 1 to " + Principal.MAX_USER_ID_LENGTH + " characters"));
        }
        return new Principal(subject, true, claims.toJSONObject());
    }

    private static String lowerFirst(String message) {
        return message == null || message.isEmpty() ? "invalid claims" : Character.toLowerCase(message.charAt(0)) + message.substring(1);
    }
}
