package io.realtime.gateway.admission;

/**
 * Who may open a session on the Socket.IO port; immutable, built with {@link #builder()}. Every limit defaults to
 * {@code 0}, no limit.
 *
 * @param maxConnections                sessions this node holds at once; past it a handshake gets 503 {@code server_full}
 * @param maxConnectionsPerAddress      sessions one client address may hold; past it 429 (behind a proxy every client
 *                                      shares one address)
 * @param handshakesPerSecondPerAddress handshakes per second one address may make, twice that at once; past it 429
 */
public record AdmissionOptions(int maxConnections, int maxConnectionsPerAddress, int handshakesPerSecondPerAddress) {

    /** Nothing limited: a node that only refuses handshakes while it drains (a server built from netty-socketio's configuration alone). */
    public static final AdmissionOptions UNLIMITED = builder().build();

    public AdmissionOptions {
        requireNotNegative(maxConnections, "maxConnections");
        requireNotNegative(maxConnectionsPerAddress, "maxConnectionsPerAddress");
        requireNotNegative(handshakesPerSecondPerAddress, "handshakesPerSecondPerAddress");
    }

    public static Builder builder() {
        return new Builder();
    }

    private static int requireNotNegative(int value, String name) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must be zero (no limit) or more: " + value);
        }
        return value;
    }

    public static final class Builder {
        private int maxConnections;
        private int maxConnectionsPerAddress;
        private int handshakesPerSecondPerAddress;

        private Builder() {
        }

        /** Default {@code 0}: no limit. */
        public Builder maxConnections(int value) {
            maxConnections = requireNotNegative(value, "maxConnections");
            return this;
        }

        /** Default {@code 0}: no limit. */
        public Builder maxConnectionsPerAddress(int value) {
            maxConnectionsPerAddress = requireNotNegative(value, "maxConnectionsPerAddress");
            return this;
        }

        /** Default {@code 0}: no limit. */
        public Builder handshakesPerSecondPerAddress(int value) {
            handshakesPerSecondPerAddress = requireNotNegative(value, "handshakesPerSecondPerAddress");
            return this;
        }

        public AdmissionOptions build() {
            return new AdmissionOptions(maxConnections, maxConnectionsPerAddress, handshakesPerSecondPerAddress);
        }
    }
}
