package io.realtime.gateway.broadcast;

import io.realtime.cluster.Cluster;
import io.realtime.cluster.ClusterNamespace;

import io.realtime.cluster.SocketIds;

import java.util.LinkedHashSet;
import java.util.Set;

/** Broadcasts through the cluster adapter of the target's namespace. */
public final class ClusterBroadcaster implements Broadcaster {

    private final Cluster cluster;

    public ClusterBroadcaster(Cluster cluster) {
        this.cluster = cluster;
    }

    @Override
    public void emit(BroadcastTarget target, String event, Object... args) {
        ClusterNamespace operators = cluster.of(target.namespace()).to(target.rooms());
        Set<String> except = new LinkedHashSet<>(target.except());
        if (target.excludedSocket() != null) {
            except.add(SocketIds.wire(target.excludedSocket()));
        }
        operators = operators.except(except);
        if (target.localOnly()) {
            operators = operators.local();
        }
        operators.emit(event, args);
    }
}
