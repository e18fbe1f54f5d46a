package io.realtime.gateway.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import java.time.Instant;
import java.util.Date;

/** Tokens as a node under {@code AUTH_MODE=jwt} with a shared secret ({@code JWT_SECRET}) accepts them. */
public final class Tokens {

    private Tokens() {
    }

    /** An HS256 token for {@code subject} signed with {@code secret} (at least 32 bytes), valid until {@code expiry}. */
    public static String hs256(String secret, String subject, Instant expiry) {
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256),
                new JWTClaimsSet.Builder().subject(subject).expirationTime(Date.from(expiry)).build());
        try {
            jwt.sign(new MACSigner(secret));
        } catch (JOSEException e) {
            throw new IllegalArgumentException("cannot sign with this secret", e);
        }
        return jwt.serialize();
    }
}
