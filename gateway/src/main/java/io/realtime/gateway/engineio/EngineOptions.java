package io.realtime.gateway.engineio;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The Engine.IO server options, named after Node's engine.io options they mirror.
 *
 * @param path             request path prefix, with a trailing slash ({@code /socket.io/})
 * @param pingInterval     how often the server pings a v4 client
 * @param pingTimeout      how long after a ping the server waits for the pong before closing the session
 * @param maxPayload       the largest HTTP body or WebSocket message accepted, in bytes ({@code maxHttpBufferSize})
 * @param upgradeTimeout   how long a WebSocket probe may take to complete the upgrade
 * @param transports       the transports accepted ({@code polling}, {@code websocket})
 * @param allowEIO3        whether Engine.IO v3 clients (socket.io-client 2.x) are accepted
 * @param corsOrigins      origins allowed to make cross-origin requests; {@code *} allows any origin
 * @param outboundLimit    bytes that may wait to be sent to one client before it is disconnected as a slow consumer
 *                         ({@code 0}: no limit); past a sixteenth of it the client counts as not writable and
 *                         volatile broadcasts skip it
 */
public record EngineOptions(
        String path,
        Duration pingInterval,
        Duration pingTimeout,
        int maxPayload,
        Duration upgradeTimeout,
        Set<String> transports,
        boolean allowEIO3,
        List<String> corsOrigins,
        long outboundLimit) {

    public static final String POLLING = "polling";
    public static final String WEBSOCKET = "websocket";

    public EngineOptions {
        Objects.requireNonNull(path, "path");
        if (!path.startsWith("/") || !path.endsWith("/")) {
            throw new IllegalArgumentException("path must start and end with '/': " + path);
        }
        requirePositive(pingInterval, "pingInterval");
        requirePositive(pingTimeout, "pingTimeout");
        requirePositive(upgradeTimeout, "upgradeTimeout");
        if (maxPayload <= 0) {
            throw new IllegalArgumentException("maxPayload must be positive: " + maxPayload);
        }
        transports = Set.copyOf(transports);
        if (transports.isEmpty() || !Set.of(POLLING, WEBSOCKET).containsAll(transports)) {
            throw new IllegalArgumentException("transports must be a non-empty subset of [polling, websocket]: " + transports);
        }
        corsOrigins = List.copyOf(corsOrigins);
        if (outboundLimit < 0) {
            throw new IllegalArgumentException("outboundLimit must not be negative: " + outboundLimit);
        }
    }

    public EngineOptions(String path, Duration pingInterval, Duration pingTimeout, int maxPayload, Duration upgradeTimeout,
                         Set<String> transports, boolean allowEIO3, List<String> corsOrigins) {
        this(path, pingInterval, pingTimeout, maxPayload, upgradeTimeout, transports, allowEIO3, corsOrigins, 4L << 20);
    }

    /** socket.io's own defaults. */
    public static EngineOptions defaults() {
        return new EngineOptions("/socket.io/", Duration.ofSeconds(25), Duration.ofSeconds(20), 1_000_000,
                Duration.ofSeconds(10), Set.of(POLLING, WEBSOCKET), false, List.of());
    }

    /** The handshake's answer: the session id and these options, and whether the client may upgrade. */
    EnginePacket openPacket(java.util.UUID sid, boolean fromPolling) {
        boolean upgrades = fromPolling && allows(WEBSOCKET);
        return EnginePacket.of(EnginePacket.Type.OPEN, "{\"sid\":\"" + sid + "\",\"upgrades\":"
                + (upgrades ? "[\"websocket\"]" : "[]") + ",\"pingInterval\":" + pingInterval.toMillis()
                + ",\"pingTimeout\":" + pingTimeout.toMillis() + ",\"maxPayload\":" + maxPayload + "}");
    }

    public boolean allows(String transport) {
        return transports.contains(transport);
    }

    private static void requirePositive(Duration value, String name) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + value);
        }
    }
}
