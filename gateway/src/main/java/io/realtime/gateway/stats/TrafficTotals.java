package io.realtime.gateway.stats;

/** This node's running totals, for figures that need rates (the dashboard, the Admin UI's aggregated events). */
public interface TrafficTotals {

    /** Events received from clients since start. */
    long eventsReceived();

    /** Event deliveries to clients since start (a broadcast counts once per recipient). */
    long eventsSent();

    /** Engine.IO payloads received (a polling body or a WebSocket frame counts once) since start. */
    long packetsIn();

    /** Bytes of those payloads. */
    long bytesIn();

    /** Engine.IO payloads written since start. */
    long packetsOut();

    /** Bytes of those payloads. */
    long bytesOut();
}
