package io.realtime.gateway.stats;

/**
 * What the protocol layers report as traffic flows: connections, events, bytes, handlers and acks. Called from
 * event loops: implementations only count (no I/O, no locks). Every method has a no-op default.
 */
public interface TrafficObserver {

    /** Reports nothing. */
    TrafficObserver NONE = new TrafficObserver() {
    };

    default void connected(String namespace) {
    }

    default void disconnected(String namespace, DisconnectReason reason) {
    }

    /** A connection or namespace connection refused. */
    default void refused(RefusalReason reason) {
    }

    default void eventReceived(String namespace, String event) {
    }

    /** {@code count} clients were sent an event (a broadcast is counted once, with its recipients). */
    default void eventsSent(String namespace, String event, int count) {
    }

    /** An event refused before any handler saw it. */
    default void eventRefused(String namespace, EventRefusal reason) {
    }

    /** A connection closed by the server for its client's behaviour. */
    default void closedForBehaviour(BehaviourClose reason) {
    }

    /** An HTTP connection to the Socket.IO port closed by its deadlines or its decoder's limits (414, 431). */
    default void httpClosed(HttpClose reason) {
    }

    default void bytesReceived(long bytes) {
    }

    /** One payload (a WebSocket frame, a polling response) of {@code bytes} was written. */
    default void bytesSent(long bytes) {
    }

    /** {@code payloads} payloads of {@code bytes} in all were written: a broadcast's frames on one event loop. */
    default void bytesSent(long payloads, long bytes) {
    }

    /** A handler ran (its synchronous part) for {@code nanos}. */
    default void handled(String namespace, String event, long nanos) {
    }

    default void handlerFailed(String namespace, String event) {
    }

    default void validationFailed(String namespace, String event) {
    }

    default void roomJoined(String namespace) {
    }

    default void roomLeft(String namespace) {
    }

    /** A socket recovered its session (connection state recovery) and was sent the {@code replayed} events it missed. */
    default void recovered(String namespace, int replayed) {
    }

    /** A client asked to recover a session and got a new one. */
    default void recoveryFailed(RecoveryFailure reason) {
    }

    default void ackRequested() {
    }

    default void ackAnswered(long nanos) {
    }

    default void ackTimedOut() {
    }

    /** A server-to-client ack still pending when its client left: no longer pending, and no timeout either. */
    default void ackAbandoned() {
    }
}
