package io.realtime.gateway.admission;

/**
 * What admission lets in; immutable, built with {@link #builder()}. Every limit defaults to {@code 0}, no limit.
 */
public final class AdmissionOptions {

    /** Nothing limited: a node that only refuses handshakes while it drains. */
    public static final AdmissionOptions UNLIMITED = builder().build();

    private final int maxConnections;
    private final int maxConnectionsPerAddress;
    private final int handshakesPerSecondPerAddress;

    private AdmissionOptions(Builder builder) {
        this.maxConnections = builder.maxConnections;
        this.maxConnectionsPerAddress = builder.maxConnectionsPerAddress;
        this.handshakesPerSecondPerAddress = builder.handshakesPerSecondPerAddress;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Sessions this node holds at once; past it a handshake gets 503 {@code server_full} ({@code 0}: no limit). */
    public int maxConnections() {
        return maxConnections;
    }

    /** Sessions one client address may hold; past it a handshake gets 429 ({@code 0}: no limit). */
    public int maxConnectionsPerAddress() {
        return maxConnectionsPerAddress;
    }

    /** Handshakes per second one address may make, twice that at once; past it 429 ({@code 0}: no limit). */
    public int handshakesPerSecondPerAddress() {
        return handshakesPerSecondPerAddress;
    }

    @Override
    public String toString() {
        return "AdmissionOptions[maxConnections=" + maxConnections + ", maxConnectionsPerAddress="
                + maxConnectionsPerAddress + ", handshakesPerSecondPerAddress=" + handshakesPerSecondPerAddress + "]";
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
            return new AdmissionOptions(this);
        }

        private static int requireNotNegative(int value, String name) {
            if (value < 0) {
                throw new IllegalArgumentException(name + " must not be negative: " + value);
            }
            return value;
        }
    }
}
