package io.realtime.gateway.admission;

import io.realtime.gateway.engineio.EngineIoError;
import io.realtime.gateway.stats.RefusalReason;

/**
 * Why a handshake is refused: the answer the client gets, and the reason the refusal is counted under
 * ({@code socketio_connections_refused_total{reason}}).
 */
public enum Refusal {
    DRAINING(EngineIoError.DRAINING, RefusalReason.DRAINING),
    SERVER_FULL(EngineIoError.SERVER_FULL, RefusalReason.LIMIT),
    TOO_MANY_FROM_ADDRESS(EngineIoError.TOO_MANY_FROM_ADDRESS, RefusalReason.ADDRESS_LIMIT);

    private final EngineIoError answer;
    private final RefusalReason reason;

    Refusal(EngineIoError answer, RefusalReason reason) {
        this.answer = answer;
        this.reason = reason;
    }

    public EngineIoError answer() {
        return answer;
    }

    /** The reason the metrics count it under. */
    public RefusalReason reason() {
        return reason;
    }
}
