package io.realtime.gateway.auth;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class JwksKeyCacheTest {

    private static JWKSelector keyId(String kid) {
        return new JWKSelector(new JWKMatcher.Builder().keyID(kid).build());
    }

    private static URL url(HttpServer server) throws Exception {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/jwks.json").toURL();
    }

    @Test
    void lookupsOfAnUnknownKeyWhileAFetchHangsLeadToOneFetchAfterIt() throws Exception {
        ECKey first = new ECKeyGenerator(Curve.P_256).keyID("k1").generate();
        ECKey second = new ECKeyGenerator(Curve.P_256).keyID("k2").generate();
        AtomicReference<JWKSet> published = new AtomicReference<>(new JWKSet(first.toPublicJWK()));
        AtomicReference<CountDownLatch> gate = new AtomicReference<>(new CountDownLatch(0));
        List<Long> arrivals = new CopyOnWriteArrayList<>();
        List<Long> answers = new CopyOnWriteArrayList<>();
        HttpServer jwks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        ExecutorService handlers = Executors.newCachedThreadPool();
        jwks.setExecutor(handlers);
        jwks.createContext("/jwks.json", exchange -> {
            arrivals.add(System.nanoTime());
            try {
                // The identity provider hangs while the test holds the gate.
                gate.get().await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] body = published.get().toString().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
            answers.add(System.nanoTime());
        });
        jwks.start();
        Duration gap = Duration.ofMillis(300);
        CountDownLatch hanging = new CountDownLatch(1);
        try (JwksKeyCache cache = new JwksKeyCache(url(jwks), Duration.ofMinutes(5), gap).start()) {
            assertThat(arrivals).hasSize(1);
            assertThat(cache.keyCount()).isEqualTo(1);

            gate.set(hanging);
            assertThat(cache.get(keyId("unknown"), null)).isEmpty();
            await().atMost(Duration.ofSeconds(5)).until(() -> arrivals.size() == 2);
            // Token after token naming a key the set lacks while that fetch hangs, a few milliseconds apart.
            AtomicInteger lookups = new AtomicInteger();
            await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(2)).atMost(Duration.ofSeconds(10))
                    .until(() -> cache.get(keyId("unknown"), null).isEmpty() && lookups.incrementAndGet() >= 300);
            assertThat(arrivals).hasSize(2);

            hanging.countDown();
            // Every one of those lookups is served by a single fetch, which waits the minimum gap after the hung one.
            await().atMost(Duration.ofSeconds(5)).until(() -> arrivals.size() >= 3);
            await().during(gap.multipliedBy(4)).atMost(gap.multipliedBy(8))
                    .untilAsserted(() -> assertThat(arrivals).hasSize(3));
            // Less a few milliseconds: the delay is whole milliseconds, and the answer's time is taken after its close.
            assertThat(arrivals.get(2) - answers.get(1)).isGreaterThanOrEqualTo(gap.minusMillis(5).toNanos());

            // A key published later is fetched when a token names it.
            published.set(new JWKSet(List.of(first.toPublicJWK(), second.toPublicJWK())));
            await().atMost(Duration.ofSeconds(5)).until(() -> !cache.get(keyId("k2"), null).isEmpty());
            assertThat(arrivals).hasSizeLessThanOrEqualTo(5);
        } finally {
            hanging.countDown();
            jwks.stop(0);
            handlers.shutdownNow();
        }
    }

    @Test
    void aFetchFromAnEndpointThatTricklesItsAnswerEndsAtTheDeadline() throws Exception {
        ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
        HttpServer jwks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        jwks.createContext("/jwks.json", exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, 0);
            OutputStream body = exchange.getResponseBody();
            // A byte every 100 ms, well within any read timeout: JSON whitespace, never a whole key set.
            trickle.scheduleAtFixedRate(() -> {
                try {
                    body.write(' ');
                    body.flush();
                } catch (IOException closed) {
                    throw new IllegalStateException(closed);
                }
            }, 0, 100, TimeUnit.MILLISECONDS);
        });
        jwks.start();
        JwksKeyCache cache = new JwksKeyCache(url(jwks), Duration.ofMinutes(5), Duration.ofMillis(100), Duration.ofSeconds(1));
        try {
            CompletableFuture<JwksKeyCache> started = CompletableFuture.supplyAsync(cache::start);
            await().atMost(Duration.ofSeconds(5)).until(started::isDone);
            assertThat(cache.keyCount()).isZero();
        } finally {
            cache.close();
            trickle.shutdownNow();
            jwks.stop(0);
        }
    }
}
