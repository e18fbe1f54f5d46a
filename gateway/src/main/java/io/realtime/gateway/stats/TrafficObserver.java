package io.realtime.gateway.stats;

/**
 * What the protocol layers report as traffic flows: connections, events, bytes, handlers and acks. Called from
 * event loops: implementations only count (no I/O, no locks). Every method has a no-op default.
 */
public interface TrafficObserver {

    default void connected(String namespace) {
    }

    default void disconnected(String namespace, String reason) {
    }

    /** A connection or namespace connection refused: {@code auth}, {@code limit} or {@code bad_request}. */
    default void refused(String reason) {
    }

    default void eventReceived(String namespace, String event) {
    }

    /** {@code count} clients were sent an event (a broadcast is counted once, with its recipients). */
    default void eventsSent(String namespace, String event, int count) {
    }

    /** An event refused before any handler saw it ({@code rate_limited}). */
    default void eventRefused(String namespace, String reason) {
    }

    /** A connection closed by the server for its behaviour: {@code abuse} (too many refused events) or {@code slow_consumer}. */
    default void closedForBehaviour(String reason) {
    }

    default void bytesReceived(long bytes) {
    }

    default void bytesSent(long bytes) {
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

    default void ackRequested() {
    }

    default void ackAnswered(long nanos) {
    }

    default void ackTimedOut() {
    }

    /** Several observers as one. */
    static TrafficObserver all(java.util.List<TrafficObserver> observers) {
        // The list is used as it is, so observers added later are heard too (a concurrent list is expected).
        return new TrafficObservers(observers);
    }
}
