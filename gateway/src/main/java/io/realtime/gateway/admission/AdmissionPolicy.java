package io.realtime.gateway.admission;

import java.net.InetAddress;

/**
 * One rule about who may open a session. Asked on the handshake's event loop, told of sessions opened and closed on
 * theirs: implementations are thread-safe.
 */
interface AdmissionPolicy {

    /** Why a handshake from this address is refused now, or {@code null} to let it through to the next policy. */
    Refusal check(InetAddress address);

    default void opened(InetAddress address) {
    }

    default void closed(InetAddress address) {
    }
}
