package io.realtime.gateway.stats;

/** This node's running totals of events, for figures that need rates (the dashboard). */
public interface TrafficTotals {

    /** Events received from clients since start. */
    long eventsReceived();

    /** Event deliveries to clients since start (a broadcast counts once per recipient). */
    long eventsSent();
}
