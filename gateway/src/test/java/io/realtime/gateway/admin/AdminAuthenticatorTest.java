package io.realtime.gateway.admin;

import com.corundumstudio.socketio.AuthTokenResult;
import com.corundumstudio.socketio.SocketIOClient;
import io.realtime.gateway.socketio.DeferredAuth;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class AdminAuthenticatorTest {

    /** Runs the hashing on the calling thread, or refuses it as a full hashing pool does. */
    private static final class SwitchableHashing implements Executor {
        volatile boolean busy = true;
        final AtomicInteger hashed = new AtomicInteger();

        @Override
        public void execute(Runnable command) {
            if (busy) {
                throw new RejectedExecutionException("full");
            }
            hashed.incrementAndGet();
            command.run();
        }
    }

    private final SwitchableHashing hashing = new SwitchableHashing();
    private final AdminAuthenticator authenticator = new AdminAuthenticator("admin", AdminUiTest.HASH,
            new InMemoryAdminSessions(Clock.systemUTC(), "fingerprint"), hashing, new FailedLogins(Clock.systemUTC()));

    @Test
    void loginsRefusedAsBusyDoNotCountAsFailures() throws Exception {
        Map<String, Object> rightPassword = Map.of("username", "admin", "password", AdminUiTest.PASSWORD);
        for (int i = 0; i < 2 * FailedLogins.MAX_ATTEMPTS; i++) {
            assertThat(login(rightPassword).getErrorData()).as("retry %d", i + 1).asString().startsWith("too many logins at once");
        }
        hashing.busy = false;
        assertThat(login(rightPassword).isSuccess()).as("the operator's login once hashing has room").isTrue();
    }

    @Test
    void aWrongNameIsHashedLikeARightOneSoTheAnswerTakesAsLong() throws Exception {
        hashing.busy = false;
        AuthTokenResult wrongName = login(Map.of("username", "root", "password", AdminUiTest.PASSWORD));
        assertThat(wrongName.isSuccess()).isFalse();
        assertThat(wrongName.getErrorData()).isEqualTo(AdminAuthenticator.INVALID_CREDENTIALS);
        assertThat(hashing.hashed).as("the password was checked against the hash although the name was wrong").hasValue(1);
        AuthTokenResult noName = login(Map.of("password", "guess"));
        assertThat(noName.getErrorData()).isEqualTo(AdminAuthenticator.INVALID_CREDENTIALS);
        assertThat(hashing.hashed).hasValue(2);
    }

    private AuthTokenResult login(Map<String, Object> auth) throws Exception {
        SocketIOClient client = client(new InetSocketAddress("10.0.0.7", 50000));
        AuthTokenResult deferred = authenticator.getAuthTokenResult(auth, client);
        return ((DeferredAuth) deferred).outcome().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** A client that answers only what the authenticator asks of it. */
    private static SocketIOClient client(InetSocketAddress remote) {
        UUID id = UUID.randomUUID();
        return (SocketIOClient) Proxy.newProxyInstance(SocketIOClient.class.getClassLoader(), new Class<?>[]{SocketIOClient.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getSessionId" -> id;
                    case "getRemoteAddress" -> remote;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
