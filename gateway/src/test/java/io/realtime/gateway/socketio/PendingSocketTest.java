package io.realtime.gateway.socketio;

import com.corundumstudio.socketio.AckCallback;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** A client never admitted: every ack asked of it times out, even when another one's timeout callback throws. */
class PendingSocketTest {

    private static AckCallback<Object> ack(Runnable onTimeout) {
        return new AckCallback<>(Object.class) {
            @Override
            public void onSuccess(Object result) {
            }

            @Override
            public void onTimeout() {
                onTimeout.run();
            }
        };
    }

    @Test
    void aTimeoutCallbackThatThrowsDoesNotKeepTheOthersFromRunning() {
        // Nothing asked of a pending client touches its connection until it is admitted.
        PendingSocket pending = new PendingSocket(null, null, null, UUID.randomUUID());
        List<String> timedOut = new ArrayList<>();
        pending.sendEvent("first", ack(() -> timedOut.add("first")));
        pending.sendEvent("failing", ack(() -> {
            throw new IllegalStateException("an application's bug");
        }));
        pending.sendEvent("last", ack(() -> timedOut.add("last")));

        pending.abandon();

        assertThat(timedOut).containsExactly("first", "last");
    }
}
