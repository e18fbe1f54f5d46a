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
        return "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.toPublicKey().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
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
