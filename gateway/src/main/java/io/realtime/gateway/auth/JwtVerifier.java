package io.realtime.gateway.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;

import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Verifies JWTs with nimbus-jose-jwt: HS256/384/512 with a shared secret, RS/PS/ES with a public key, or keys from a
 * JWKS endpoint ({@link JwksKeyCache}). {@code sub} is required and becomes the user id; {@code exp} is required;
 * issuer and audience are checked when configured.
 */
public final class JwtVerifier implements TokenVerifier {

    /** Each HMAC algorithm with the fewest secret bytes it takes (RFC 7518 3.2: a key as long as the hash). */
    private static final Map<JWSAlgorithm, Integer> HMAC_MIN_BYTES = hmacMinBytes();
    private static final Set<JWSAlgorithm> RSA = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512);
    private static final Set<JWSAlgorithm> ASYMMETRIC = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512, JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512);
    private static final String EXPIRED_MESSAGE = "Expired JWT";

    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    private final DefaultJWTClaimsVerifier<SecurityContext> claimsVerifier;

    private JwtVerifier(JWSKeySelector<SecurityContext> keys, String issuer, String audience) {
        processor.setJWSKeySelector(keys);
        JWTClaimsSet.Builder exact = new JWTClaimsSet.Builder();
        if (issuer != null) {
            exact.issuer(issuer);
        }
        claimsVerifier = new RequiredClaimsVerifier(audience, exact.build(), Set.of("sub", "exp"));
        processor.setJWTClaimsSetVerifier(claimsVerifier);
    }

    /**
     * nimbus's check of the required claims, for which a claim whose value is null is missing: nimbus only asks whether
     * the name is there, so {@code "exp": null} would pass as a token that never expires and {@code "sub": null} as a
     * user without an id. Such a token is refused with the reason the claim's absence gives.
     */
    private static final class RequiredClaimsVerifier extends DefaultJWTClaimsVerifier<SecurityContext> {

        RequiredClaimsVerifier(String audience, JWTClaimsSet exactMatch, Set<String> required) {
            super(audience, exactMatch, required);
        }

        @Override
        public void verify(JWTClaimsSet claims, SecurityContext context) throws BadJWTException {
            if (claims.getClaims().containsValue(null)) {
                try {
                    // Read again from its JSON form, which leaves the null claims out.
                    claims = JWTClaimsSet.parse(claims.toJSONObject());
                } catch (ParseException e) {
                    throw new BadJWTException("Invalid claims", e);
                }
            }
            super.verify(claims, context);
        }
    }

    /**
     * How far past its {@code exp} (or before its {@code nbf}) a token is still accepted: the issuer's and this
     * node's clocks may differ by that much. nimbus's default is 60 s.
     */
    public JwtVerifier clockSkew(java.time.Duration skew) {
        claimsVerifier.setMaxClockSkew((int) Math.min(Integer.MAX_VALUE, skew.toSeconds()));
        return this;
    }

    /**
     * HMAC with a shared secret of at least 32 bytes: HS256 from 32 bytes, HS384 from 48, HS512 from 64. A token of an
     * HMAC algorithm the secret is too short for is refused with a reason that says so.
     */
    public static JwtVerifier withSecret(String secret, String issuer, String audience) {
        byte[] key = secret.getBytes(StandardCharsets.UTF_8);
        if (key.length < HMAC_MIN_BYTES.get(JWSAlgorithm.HS256)) {
            throw new IllegalArgumentException("JWT_SECRET must be at least 32 bytes for HS256");
        }
        Map<JWSAlgorithm, String> tooShort = new LinkedHashMap<>();
        HMAC_MIN_BYTES.forEach((algorithm, bytes) -> {
            if (key.length < bytes) {
                tooShort.put(algorithm, algorithm + " tokens need a JWT_SECRET of at least " + bytes + " bytes");
            }
        });
        Set<JWSAlgorithm> verified = new HashSet<>(HMAC_MIN_BYTES.keySet());
        verified.removeAll(tooShort.keySet());
        return new JwtVerifier(new SingleKeySelector(new SecretKeySpec(key, "HMAC"), verified, tooShort), issuer, audience);
    }

    /**
     * What a secret of so many bytes leaves out, for the start log: empty from 64 bytes (it verifies every HMAC
     * algorithm), else which algorithms it verifies and the length each other one needs.
     */
    static Optional<String> hmacLimits(int secretBytes) {
        List<String> verified = new ArrayList<>();
        List<String> needMore = new ArrayList<>();
        HMAC_MIN_BYTES.forEach((algorithm, bytes) -> {
            if (secretBytes >= bytes) {
                verified.add(algorithm.getName());
            } else {
                needMore.add(algorithm.getName() + " needs " + bytes);
            }
        });
        if (needMore.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("JWT_SECRET is " + secretBytes + " bytes: tokens signed with " + String.join(" or ", verified)
                + " are verified, others refused (" + String.join(", ", needMore) + " bytes)");
    }

    /**
     * RSA or EC with a PEM-encoded public key ({@code PUBLIC KEY}) or certificate ({@code CERTIFICATE}). The one key
     * verifies every token of an algorithm of its type (RS/PS for RSA; for EC the ES algorithm of its curve), whatever
     * key id ({@code kid}, {@code x5t#S256}) the token's header names: a PEM key has none to match it against.
     */
    public static JwtVerifier withPublicKeyPem(String pem, String issuer, String audience) {
        JWK jwk = PemPublicKeys.parse(pem);
        try {
            if (jwk instanceof RSAKey rsa) {
                return new JwtVerifier(new SingleKeySelector(rsa.toPublicKey(), RSA, Map.of()), issuer, audience);
            }
            ECKey ec = (ECKey) jwk;
            return new JwtVerifier(new SingleKeySelector(ec.toPublicKey(), ecAlgorithms(ec.getCurve()), Map.of()), issuer, audience);
        } catch (JOSEException e) {
            throw new IllegalArgumentException("JWT_PUBLIC_KEY_FILE cannot be read: " + e.getMessage(), e);
        }
    }

    /** Keys from a JWKS endpoint, cached and refreshed in the background; a token's key id picks its key. */
    public static JwtVerifier withJwks(JwksKeyCache cache, String issuer, String audience) {
        Set<JWSAlgorithm> algorithms = new HashSet<>(ASYMMETRIC);
        return new JwtVerifier(new JWSVerificationKeySelector<>(algorithms, cache), issuer, audience);
    }

    private static Set<JWSAlgorithm> ecAlgorithms(Curve curve) {
        for (JWSAlgorithm algorithm : List.of(JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512)) {
            if (Curve.forJWSAlgorithm(algorithm).contains(curve)) {
                return Set.of(algorithm);
            }
        }
        return Set.of();
    }

    private static Map<JWSAlgorithm, Integer> hmacMinBytes() {
        Map<JWSAlgorithm, Integer> bytes = new LinkedHashMap<>();
        bytes.put(JWSAlgorithm.HS256, 32);
        bytes.put(JWSAlgorithm.HS384, 48);
        bytes.put(JWSAlgorithm.HS512, 64);
        return Collections.unmodifiableMap(bytes);
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
        } catch (UnusableAlgorithmException e) {
            throw new TokenRejectedException(AuthFailure.unauthorized(e.getMessage()));
        } catch (BadJOSEException e) {
            throw new TokenRejectedException(AuthFailure.unauthorized("invalid signature or unknown key"));
        } catch (JOSEException e) {
            throw new TokenRejectedException(AuthFailure.unauthorized("token could not be verified"));
        }
        String subject = claims.getSubject();
        if (subject == null || subject.isBlank() || subject.length() > Principal.MAX_USER_ID_LENGTH) {
            // The user id names the user's notification room, which the backend API addresses by the same rule.
            throw new TokenRejectedException(AuthFailure.unauthorized(
                    "the token's sub must be 1 to " + Principal.MAX_USER_ID_LENGTH + " characters"));
        }
        return new Principal(subject, true, claims.toJSONObject());
    }

    /**
     * The one configured key (a shared secret or a PEM public key) for a token of an algorithm it may verify, whatever
     * key id the token names; none for any other algorithm, so that a token is never checked with a key of another
     * type (a public key used as an HMAC secret).
     */
    private static final class SingleKeySelector implements JWSKeySelector<SecurityContext> {

        private final List<Key> key;
        private final Set<JWSAlgorithm> algorithms;
        private final Map<JWSAlgorithm, String> refused;

        /** @param refused algorithms of the key's type it cannot verify, each with the reason the client is told */
        SingleKeySelector(Key key, Set<JWSAlgorithm> algorithms, Map<JWSAlgorithm, String> refused) {
            this.key = List.of(key);
            this.algorithms = Set.copyOf(algorithms);
            this.refused = Map.copyOf(refused);
        }

        @Override
        public List<Key> selectJWSKeys(JWSHeader header, SecurityContext context) throws KeySourceException {
            String reason = refused.get(header.getAlgorithm());
            if (reason != null) {
                throw new UnusableAlgorithmException(reason);
            }
            return algorithms.contains(header.getAlgorithm()) ? key : List.of();
        }
    }

    /** A token of an algorithm the configured key is of the right type for, but cannot verify (a secret too short). */
    private static final class UnusableAlgorithmException extends KeySourceException {
        UnusableAlgorithmException(String reason) {
            super(reason);
        }
    }

    private static String lowerFirst(String message) {
        return message == null || message.isEmpty() ? "invalid claims" : Character.toLowerCase(message.charAt(0)) + message.substring(1);
    }
}
