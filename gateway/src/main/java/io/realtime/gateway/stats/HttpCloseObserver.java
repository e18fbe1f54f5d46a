package io.realtime.gateway.stats;

/** Where an HTTP port reports the connections it closed ({@link HttpClose}). Called from event loops: count only. */
@FunctionalInterface
public interface HttpCloseObserver {

    /** Reports nothing. */
    HttpCloseObserver NONE = reason -> { };

    void closed(HttpClose reason);
}
