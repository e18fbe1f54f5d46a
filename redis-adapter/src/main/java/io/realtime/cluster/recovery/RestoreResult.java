package io.realtime.cluster.recovery;

import java.util.Objects;

/** What a {@link SessionRecovery#restore} came to: the session found again, or why there is none. */
public record RestoreResult(RecoveredSession session, RestoreRefusal refusal) {

    public RestoreResult {
        if ((session == null) == (refusal == null)) {
            throw new IllegalArgumentException("a restore either recovers a session or is refused");
        }
    }

    public static RestoreResult recovered(RecoveredSession session) {
        return new RestoreResult(Objects.requireNonNull(session), null);
    }

    public static RestoreResult refused(RestoreRefusal refusal) {
        return new RestoreResult(null, Objects.requireNonNull(refusal));
    }

    public boolean isRecovered() {
        return session != null;
    }
}
