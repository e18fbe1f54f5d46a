package io.realtime.cluster.core;

import io.realtime.cluster.ClusterObserver;
import io.realtime.cluster.ClusterStats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Messages from Redis that could not be read: each is counted; the first of each kind is logged, so that a
 * misconfigured publisher is seen without flooding the log.
 */
public final class MalformedMessages {

    private static final Logger log = LoggerFactory.getLogger(MalformedMessages.class);

    private final String transport;
    private final ClusterStats stats;
    private final ClusterObserver observer;
    private final Set<String> logged = ConcurrentHashMap.newKeySet();

    public MalformedMessages(String transport, ClusterStats stats, ClusterObserver observer) {
        this.transport = transport;
        this.stats = stats;
        this.observer = observer;
    }

    public void report(String channel, String kind, String detail) {
        stats.recordMalformed();
        observer.malformedMessage(transport, kind);
        if (logged.add(kind)) {
            log.warn("ignoring a malformed cluster message on {} ({} transport): {}: {} (logged once per kind; all are"
                    + " counted in socketio_cluster_malformed_messages_total)", channel, transport, kind, detail);
        }
    }
}
