package io.realtime.gateway.auth;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class JwtVerifierTest {

    private static final String SECRET = "0123456789abcdef0123456789abcdef-secret";

    private static String token(JWSSigner signer, JWSAlgorithm algorithm, String keyId, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(algorithm).type(JOSEObjectType.JWT).keyID(keyId).build(), claims);
        jwt.sign(signer);
        return jwt.serialize();
    }

    private static JWTClaimsSet claims(String subject, Instant expiry) {
        return new JWTClaimsSet.Builder().subject(subject).issuer("issuer").audience("gateway")
                .expirationTime(Date.from(expiry)).build();
    }

    private static String pem(RSAKey key) throws Exception {
        return pem(key.toPublicKey());
    }

    private static String pem(java.security.PublicKey key) {
        return "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
    }

    /** An HMAC-signed token made with the JDK alone: nimbus's signer refuses a secret shorter than the hash. */
    private static String rawHmacToken(String algorithm, byte[] secret, JWTClaimsSet claims) throws Exception {
        Base64.Encoder base64url = Base64.getUrlEncoder().withoutPadding();
        String signingInput = base64url.encodeToString(("{\"alg\":\"" + algorithm + "\",\"typ\":\"JWT\"}").getBytes(StandardCharsets.UTF_8))
                + "." + base64url.encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8));
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA" + algorithm.substring(2));
        mac.init(new javax.crypto.spec.SecretKeySpec(secret, mac.getAlgorithm()));
        return signingInput + "." + base64url.encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
    }

    private static AuthFailure rejection(TokenVerifier verifier, String token) {
        try {
            verifier.verify(token);
        } catch (TokenVerifier.TokenRejectedException e) {
            return e.failure();
        }
        throw new AssertionError("token accepted");
    }

    @Test
    void hs256TokenNamesItsSubject() throws Exception {
        JwtVerifier verifier = JwtVerifier.withSecret(SECRET, "issuer", "gateway");

        Principal principal = verifier.verify(token(new MACSigner(SECRET), JWSAlgorithm.HS256, null,
                claims("alice", Instant.now().plusSeconds(60))));

        assertThat(principal.userId()).isEqualTo("alice");
        assertThat(principal.verified()).isTrue();
    }

    @Test
    void aTokenPastItsExpiryIsAcceptedOnlyWithinTheGraceAConnectedSocketGets() throws Exception {
        String expired45sAgo = token(new MACSigner(SECRET), JWSAlgorithm.HS256, null, claims("a", Instant.now().minusSeconds(45)));
        // A socket is ended 30 s after its token's exp: a handshake must not accept what would be ended at once.
        assertThat(rejection(JwtVerifier.withSecret(SECRET, "issuer", "gateway").clockSkew(java.time.Duration.ofSeconds(30)),
                expired45sAgo).code()).isEqualTo(AuthFailure.TOKEN_EXPIRED);
        assertThat(JwtVerifier.withSecret(SECRET, "issuer", "gateway").clockSkew(java.time.Duration.ofSeconds(60))
                .verify(expired45sAgo).userId()).isEqualTo("a");
    }

    @Test
    void expiredWrongSignatureMalformedAndWrongClaimsAreRefusedWithTheirCode() throws Exception {
        JwtVerifier verifier = JwtVerifier.withSecret(SECRET, "issuer", "gateway");
        String expired = token(new MACSigner(SECRET), JWSAlgorithm.HS256, null, claims("a", Instant.now().minusSeconds(120)));
        String otherKey = token(new MACSigner("another-secret-that-is-32-bytes-long!!"), JWSAlgorithm.HS256, null,
                claims("a", Instant.now().plusSeconds(60)));
        String otherIssuer = token(new MACSigner(SECRET), JWSAlgorithm.HS256, null, new JWTClaimsSet.Builder()
                .subject("a").issuer("someone-else").audience("gateway").expirationTime(Date.from(Instant.now().plusSeconds(60))).build());
        String noSubject = token(new MACSigner(SECRET), JWSAlgorithm.HS256, null, new JWTClaimsSet.Builder()
                .issuer("issuer").audience("gateway").expirationTime(Date.from(Instant.now().plusSeconds(60))).build());

        assertThat(rejection(verifier, expired).code()).isEqualTo(AuthFailure.TOKEN_EXPIRED);
        assertThat(rejection(verifier, otherKey).code()).isEqualTo(AuthFailure.UNAUTHORIZED);
        assertThat(rejection(verifier, "not-a-token").code()).isEqualTo(AuthFailure.UNAUTHORIZED);
        assertThat(rejection(verifier, otherIssuer).code()).isEqualTo(AuthFailure.UNAUTHORIZED);
        assertThat(rejection(verifier, noSubject).code()).isEqualTo(AuthFailure.UNAUTHORIZED);
    }

    @Test
    void aSubjectThatCannotNameAUserIsRefused() throws Exception {
        JwtVerifier verifier = JwtVerifier.withSecret(SECRET, "issuer", "gateway");
        MACSigner signer = new MACSigner(SECRET);
        Instant later = Instant.now().plusSeconds(60);

        AuthFailure tooLong = rejection(verifier, token(signer, JWSAlgorithm.HS256, null, claims("u".repeat(Principal.MAX_USER_ID_LENGTH + 1), later)));
        assertThat(tooLong.code()).isEqualTo(AuthFailure.UNAUTHORIZED);
        assertThat(tooLong.reason()).contains("sub must be 1 to " + Principal.MAX_USER_ID_LENGTH);
        assertThat(rejection(verifier, token(signer, JWSAlgorithm.HS256, null, claims(" ", later))).code())
                .isEqualTo(AuthFailure.UNAUTHORIZED);
        assertThat(verifier.verify(token(signer, JWSAlgorithm.HS256, null, claims("u".repeat(Principal.MAX_USER_ID_LENGTH), later)))
                .userId()).hasSize(Principal.MAX_USER_ID_LENGTH);
    }

    @Test
    void unsignedTokensTokensWithoutExpiryAndAPublicKeyUsedAsAnHmacSecretAreRefused() throws Exception {
        RSAKey key = new RSAKeyGenerator(2048).generate();
        String pem = pem(key);
        JwtVerifier verifier = JwtVerifier.withPublicKeyPem(pem, "issuer", "gateway");
        Instant later = Instant.now().plusSeconds(60);

        String unsigned = new com.nimbusds.jwt.PlainJWT(claims("mallory", later)).serialize();
        // Algorithm confusion: the public key, which anyone may have, as the secret of an HMAC signature.
        String confused = token(new MACSigner(pem.getBytes(StandardCharsets.US_ASCII)), JWSAlgorithm.HS256, null, claims("mallory", later));
        String noExpiry = token(new RSASSASigner(key), JWSAlgorithm.RS256, null,
                new JWTClaimsSet.Builder().subject("mallory").issuer("issuer").audience("gateway").build());

        assertThat(rejection(verifier, unsigned).code()).isEqualTo(AuthFailure.UNAUTHORIZED);
        assertThat(rejection(verifier, confused).code()).isEqualTo(AuthFailure.UNAUTHORIZED);
        assertThat(rejection(verifier, noExpiry).code()).isEqualTo(AuthFailure.UNAUTHORIZED);
        assertThat(verifier.verify(token(new RSASSASigner(key), JWSAlgorithm.RS256, null, claims("alice", later))).userId())
                .isEqualTo("alice");
    }

    /** A token signed over the claims exactly as written: nimbus's own builder leaves claims whose value is null out. */
    private static String signedPayload(String json) throws Exception {
        com.nimbusds.jose.JWSObject jws = new com.nimbusds.jose.JWSObject(
                new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).build(), new com.nimbusds.jose.Payload(json));
        jws.sign(new MACSigner(SECRET));
        return jws.serialize();
    }

    @Test
    void anExpiryOrSubjectThatIsNullIsRefusedAsIfMissing() throws Exception {
        JwtVerifier verifier = JwtVerifier.withSecret(SECRET, "issuer", "gateway");
        long later = Instant.now().plusSeconds(60).getEpochSecond();
        AuthFailure missingExpiry = rejection(verifier, signedPayload("{\"sub\":\"a\",\"iss\":\"issuer\",\"aud\":\"gateway\"}"));
        AuthFailure missingSubject = rejection(verifier,
                signedPayload("{\"iss\":\"issuer\",\"aud\":\"gateway\",\"exp\":" + later + "}"));

        // A token that never expires would never be ended by its expiry timer; a null user id names no user.
        assertThat(rejection(verifier, signedPayload("{\"sub\":\"a\",\"iss\":\"issuer\",\"aud\":\"gateway\",\"exp\":null}")))
                .isEqualTo(missingExpiry);
        assertThat(rejection(verifier,
                signedPayload("{\"sub\":null,\"iss\":\"issuer\",\"aud\":\"gateway\",\"exp\":" + later + "}")))
                .isEqualTo(missingSubject);
        assertThat(missingExpiry.code()).isEqualTo(AuthFailure.UNAUTHORIZED);
        assertThat(missingSubject.code()).isEqualTo(AuthFailure.UNAUTHORIZED);
        assertThat(verifier.verify(signedPayload("{\"sub\":\"a\",\"iss\":\"issuer\",\"aud\":\"gateway\",\"exp\":" + later + "}"))
                .userId()).isEqualTo("a");
    }

    @Test
    void aShortSecretIsRefusedAtStart() {
        assertThatThrownBy(() -> JwtVerifier.withSecret("short", null, null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rs256WithAPemPublicKey() throws Exception {
        RSAKey key = new RSAKeyGenerator(2048).generate();
        String pem = pem(key);
        JwtVerifier verifier = JwtVerifier.withPublicKeyPem(pem, null, null);

        String token = token(new RSASSASigner(key), JWSAlgorithm.RS256, null, claims("bob", Instant.now().plusSeconds(60)));

        assertThat(verifier.verify(token).userId()).isEqualTo("bob");
        String hmacToken = token(new MACSigner(SECRET), JWSAlgorithm.HS256, null, claims("bob", Instant.now().plusSeconds(60)));
        assertThat(rejection(verifier, hmacToken).code()).isEqualTo(AuthFailure.UNAUTHORIZED);
    }

    @Test
    void aPemRsaKeyVerifiesTokensWhateverKeyIdTheirHeaderNames() throws Exception {
        Instant later = Instant.now().plusSeconds(60);
        RSAKey rsa = new RSAKeyGenerator(2048).generate();
        String rsaPem = pem(rsa);
        JwtVerifier rsaVerifier = JwtVerifier.withPublicKeyPem(rsaPem, "issuer", "gateway");
        // Keycloak, Auth0, Cognito, jsonwebtoken with keyid: the header names the key; a PEM key has no id to match.
        assertThat(rsaVerifier.verify(token(new RSASSASigner(rsa), JWSAlgorithm.RS256, "any", claims("alice", later))).userId())
                .isEqualTo("alice");
        assertThat(rsaVerifier.verify(token(new RSASSASigner(rsa), JWSAlgorithm.PS256, "any", claims("alice", later))).userId())
                .isEqualTo("alice");
    }

    @Test
    void aPemEcKeyVerifiesTokensWhateverCertificateThumbprintTheirHeaderNames() throws Exception {
        Instant later = Instant.now().plusSeconds(60);
        ECKey ec = new ECKeyGenerator(Curve.P_256).generate();
        JwtVerifier ecVerifier = JwtVerifier.withPublicKeyPem(pem(ec.toPublicKey()), "issuer", "gateway");
        SignedJWT withThumbprint = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).type(JOSEObjectType.JWT)
                .x509CertSHA256Thumbprint(Base64URL.encode(new byte[32])).build(), claims("bob", later));
        withThumbprint.sign(new ECDSASigner(ec));
        assertThat(ecVerifier.verify(withThumbprint.serialize()).userId()).isEqualTo("bob");
    }

    @Test
    void aPemKeyStillRefusesAnotherKeysTokensAndAlgorithmsNotOfItsType() throws Exception {
        Instant later = Instant.now().plusSeconds(60);
        RSAKey rsa = new RSAKeyGenerator(2048).generate();
        String rsaPem = pem(rsa);
        JwtVerifier rsaVerifier = JwtVerifier.withPublicKeyPem(rsaPem, "issuer", "gateway");
        ECKey ec = new ECKeyGenerator(Curve.P_256).generate();
        JwtVerifier ecVerifier = JwtVerifier.withPublicKeyPem(pem(ec.toPublicKey()), "issuer", "gateway");

        // Algorithm confusion, with a key id: the public key as the secret of an HMAC signature.
        String confused = token(new MACSigner(rsaPem.getBytes(StandardCharsets.US_ASCII)), JWSAlgorithm.HS256, "any",
                claims("mallory", later));
        String anotherRsaKey = token(new RSASSASigner(new RSAKeyGenerator(2048).generate()), JWSAlgorithm.RS256, "any",
                claims("mallory", later));
        String ecToken = token(new ECDSASigner(ec), JWSAlgorithm.ES256, "any", claims("mallory", later));
        String rsaToken = token(new RSASSASigner(rsa), JWSAlgorithm.RS256, "any", claims("mallory", later));
        String p384Token = token(new ECDSASigner(new ECKeyGenerator(Curve.P_384).generate()), JWSAlgorithm.ES384, "any",
                claims("mallory", later));

        for (String refused : java.util.List.of(confused, anotherRsaKey, ecToken)) {
            assertThat(rejection(rsaVerifier, refused)).isEqualTo(AuthFailure.unauthorized("invalid signature or unknown key"));
        }
        for (String refused : java.util.List.of(rsaToken, p384Token)) {
            assertThat(rejection(ecVerifier, refused)).isEqualTo(AuthFailure.unauthorized("invalid signature or unknown key"));
        }
    }

    @Test
    void anHmacTokenOfAnAlgorithmTheSecretIsTooShortForIsRefusedSayingWhy() throws Exception {
        String secret32 = "0123456789abcdef0123456789abcdef";
        String secret48 = secret32 + "0123456789abcdef";
        String secret64 = secret48 + "0123456789abcdef";
        Instant later = Instant.now().plusSeconds(60);
        JwtVerifier verifier32 = JwtVerifier.withSecret(secret32, "issuer", "gateway");

        assertThat(rejection(verifier32, rawHmacToken("HS512", secret32.getBytes(StandardCharsets.UTF_8), claims("a", later))))
                .isEqualTo(AuthFailure.unauthorized("HS512 tokens need a JWT_SECRET of at least 64 bytes"));
        assertThat(rejection(verifier32, rawHmacToken("HS384", secret32.getBytes(StandardCharsets.UTF_8), claims("a", later))))
                .isEqualTo(AuthFailure.unauthorized("HS384 tokens need a JWT_SECRET of at least 48 bytes"));
        assertThat(verifier32.verify(rawHmacToken("HS256", secret32.getBytes(StandardCharsets.UTF_8), claims("a", later))).userId())
                .isEqualTo("a");

        JwtVerifier verifier48 = JwtVerifier.withSecret(secret48, "issuer", "gateway");
        assertThat(verifier48.verify(token(new MACSigner(secret48), JWSAlgorithm.HS384, null, claims("b", later))).userId())
                .isEqualTo("b");
        assertThat(rejection(verifier48, rawHmacToken("HS512", secret48.getBytes(StandardCharsets.UTF_8), claims("b", later))))
                .isEqualTo(AuthFailure.unauthorized("HS512 tokens need a JWT_SECRET of at least 64 bytes"));

        JwtVerifier verifier64 = JwtVerifier.withSecret(secret64, "issuer", "gateway");
        assertThat(verifier64.verify(token(new MACSigner(secret64), JWSAlgorithm.HS512, null, claims("c", later))).userId())
                .isEqualTo("c");
        assertThat(verifier64.verify(token(new MACSigner(secret64), JWSAlgorithm.HS256, null, claims("c", later))).userId())
                .isEqualTo("c");
        // A secret long enough still checks the signature.
        assertThat(rejection(verifier64, token(new MACSigner(secret64.replace('0', 'x')), JWSAlgorithm.HS512, null, claims("c", later))))
                .isEqualTo(AuthFailure.unauthorized("invalid signature or unknown key"));
    }

    @Test
    void es256WithKeysFromAJwksEndpointFollowsKeyRotation() throws Exception {
        ECKey first = new ECKeyGenerator(Curve.P_256).keyID("k1").generate();
        ECKey second = new ECKeyGenerator(Curve.P_256).keyID("k2").generate();
        AtomicReference<JWKSet> published = new AtomicReference<>(new JWKSet(first.toPublicJWK()));
        HttpServer jwks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        jwks.createContext("/jwks.json", exchange -> {
            byte[] body = published.get().toString().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        jwks.start();
        try (JwksKeyCache cache = new JwksKeyCache(URI.create("http://127.0.0.1:" + jwks.getAddress().getPort() + "/jwks.json").toURL(),
                Duration.ofMinutes(5), Duration.ofMillis(100)).start()) {
            JwtVerifier verifier = JwtVerifier.withJwks(cache, null, null);
            assertThat(verifier.verify(token(new ECDSASigner(first), JWSAlgorithm.ES256, "k1",
                    claims("carol", Instant.now().plusSeconds(60)))).userId()).isEqualTo("carol");

            published.set(new JWKSet(java.util.List.of(first.toPublicJWK(), second.toPublicJWK())));
            String rotated = token(new ECDSASigner(second), JWSAlgorithm.ES256, "k2", claims("dave", Instant.now().plusSeconds(60)));
            assertThat(rejection(verifier, rotated).code()).isEqualTo(AuthFailure.UNAUTHORIZED);

            await().atMost(Duration.ofSeconds(5)).until(() -> cache.keyCount() == 2);
            assertThat(verifier.verify(rotated).userId()).isEqualTo("dave");
        } finally {
            jwks.stop(0);
        }
    }

    @Test
    void aFailedFetchIsLoggedWithoutTheUrlsCredentialsOrQuery() throws Exception {
        HttpServer jwks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        jwks.createContext("/jwks.json", exchange -> {
            exchange.sendResponseHeaders(401, -1);
            exchange.close();
        });
        jwks.start();
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(JwksKeyCache.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged = new ch.qos.logback.core.read.ListAppender<>();
        logged.start();
        logger.addAppender(logged);
        String url = "http://user:hunter2@127.0.0.1:" + jwks.getAddress().getPort() + "/jwks.json?access_token=s3cret";
        try (JwksKeyCache cache = new JwksKeyCache(URI.create(url).toURL(), Duration.ofMinutes(5), Duration.ofMillis(100)).start()) {
            await().atMost(Duration.ofSeconds(5)).until(() -> logged.list.stream()
                    .anyMatch(event -> event.getFormattedMessage().contains("could not be fetched")));
            String message = logged.list.stream().map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
                    .filter(text -> text.contains("could not be fetched")).findFirst().orElseThrow();
            assertThat(message).contains("401", "****@127.0.0.1").doesNotContain("hunter2").doesNotContain("s3cret");
        } finally {
            logger.detachAppender(logged);
            jwks.stop(0);
        }
    }
}
