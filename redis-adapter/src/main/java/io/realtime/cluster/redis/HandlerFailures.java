package io.realtime.cluster.redis;

import io.realtime.cluster.ClusterStats;
import org.slf4j.Logger;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Failures of this node while applying a message that was read well (the adapter's or an application's bug, not the
 * sender's): each is counted; the first of each exception class is logged at ERROR with its stack trace, the later
 * ones at DEBUG, since one bug met by every broadcast would otherwise write a stack trace per broadcast from the
 * threads that deliver them.
 */
final class HandlerFailures {

    private final Logger log;
    private final ClusterStats stats;
    private final Set<Class<?>> logged = ConcurrentHashMap.newKeySet();

    HandlerFailures(Logger log, ClusterStats stats) {
        this.log = log;
        this.stats = stats;
    }

    void report(String what, Throwable failure) {
        stats.recordHandlerFailure();
        if (logged.add(failure.getClass())) {
            log.error("{} failed (the first {} of this kind; the later ones are logged at DEBUG and all are counted)",
                    what, failure.getClass().getSimpleName(), failure);
        } else {
            log.debug("{} failed", what, failure);
        }
    }
}
