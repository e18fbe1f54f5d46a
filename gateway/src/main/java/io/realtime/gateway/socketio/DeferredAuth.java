package io.realtime.gateway.socketio;

import com.corundumstudio.socketio.AuthTokenResult;

import java.util.concurrent.CompletionStage;

/**
 * An authentication answer that is not known yet (a password hash to compute, a session to look up in Redis): an
 * {@code AuthTokenListener} returns it so that no event loop waits. The namespace CONNECT is answered (connected
 * or {@code connect_error}) on the connection's event loop once {@link #outcome()} completes; a failed stage is a
 * refusal.
 */
public final class DeferredAuth extends AuthTokenResult {

    private final CompletionStage<AuthTokenResult> outcome;

    public DeferredAuth(CompletionStage<AuthTokenResult> outcome) {
        // Not a success to netty-socketio, so Namespace.onAuthData hands it back instead of trying other listeners.
        super(false, null);
        this.outcome = outcome;
    }

    public CompletionStage<AuthTokenResult> outcome() {
        return outcome;
    }
}
