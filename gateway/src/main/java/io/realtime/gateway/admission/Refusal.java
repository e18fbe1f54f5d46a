package io.realtime.gateway.admission;

import io.realtime.gateway.engineio.EngineIoError;

/**
 * Why a handshake is refused: the answer the client gets, and the reason the refusal is counted under
 * ({@code socketio_connections_refused_total{reason}}).
 */
public enum Refusal {
    DRAINING(EngineIoError.DRAINING, "draining"),
    SERVER_FULL(EngineIoError.SERVER_FULL, "limit"),
    TOO_MANY_FROM_ADDRESS(EngineIoError.TOO_MANY_FROM_ADDRESS, "address_limit");

    private final EngineIoError answer;
    private final String reason;

    Refusal(EngineIoError answer, String reason) {
        this.answer = answer;
        this.reason = reason;
    }

    public EngineIoError answer() {
        return answer;
    }

    /** The reason as the metrics know it today. */
    public String reason() {
        return reason;
    }
}
