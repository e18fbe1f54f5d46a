package io.realtime.gateway.server;

import io.realtime.gateway.socketio.SocketActivity;
import io.realtime.gateway.socketio.SocketIoConnection;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What a guarded listener's failure is let through: only an Error the JVM may not survive (see the server's test). */
class GuardedSocketActivityTest {

    private static SocketActivity openedThrows(Throwable failure) {
        return GuardedSocketActivity.of(new SocketActivity() {
            @Override
            public void opened(SocketIoConnection connection) {
                if (failure instanceof Error error) {
                    throw error;
                }
                throw (RuntimeException) failure;
            }
        });
    }

    @Test
    void anApplicationsBugIsKeptFromTheProtocolWhetherAnExceptionOrAnError() {
        assertThatCode(() -> openedThrows(new IllegalStateException("bug")).opened(null)).doesNotThrowAnyException();
        assertThatCode(() -> openedThrows(new ExceptionInInitializerError("bug")).opened(null)).doesNotThrowAnyException();
        assertThatCode(() -> openedThrows(new StackOverflowError("unwound")).opened(null)).doesNotThrowAnyException();
    }

    @Test
    void anErrorTheJvmMayNotSurviveGoesOnToTheThread() {
        assertThatThrownBy(() -> openedThrows(new OutOfMemoryError("heap")).opened(null)).isInstanceOf(OutOfMemoryError.class);
        assertThatThrownBy(() -> openedThrows(new InternalError("jvm")).opened(null)).isInstanceOf(InternalError.class);
    }
}
