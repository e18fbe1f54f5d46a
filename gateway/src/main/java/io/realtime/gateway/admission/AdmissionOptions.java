package io.realtime.gateway.admission;

/**
 * Who may open a session on the Socket.IO port. Every limit is off at {@code 0}.
 *
 * @param maxConnections                 sessions this node holds at once; past it a handshake gets 503 {@code server_full}
 * @param maxConnectionsPerAddress       sessions one client address may hold (behind a proxy every client shares one)
 * @param handshakesPerSecondPerAddress  handshakes one client address may make per second
 */
public record AdmissionOptions(int maxConnections, int maxConnectionsPerAddress, int handshakesPerSecondPerAddress) {

    /** No limit at all: what a server built from netty-socketio's configuration alone gets. */
    public static final AdmissionOptions UNLIMITED = new AdmissionOptions(0, 0, 0);

    public AdmissionOptions {
        requireNotNegative(maxConnections, "maxConnections");
        requireNotNegative(maxConnectionsPerAddress, "maxConnectionsPerAddress");
        requireNotNegative(handshakesPerSecondPerAddress, "handshakesPerSecondPerAddress");
    }

    private static void requireNotNegative(int value, String name) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must be zero (no limit) or more: " + value);
        }
    }
}
