package io.realtime.cluster.redis;

import io.realtime.cluster.core.ClusterMessage;
import io.realtime.cluster.core.MessageReceiver;

import java.util.concurrent.atomic.AtomicInteger;

/** A namespace that has no sockets and no rooms, and counts the times its Redis connection was lost. */
final class LostCounter implements MessageReceiver {

    private final AtomicInteger lost = new AtomicInteger();

    int lost() {
        return lost.get();
    }

    @Override
    public void onMessage(ClusterMessage message) {
    }

    @Override
    public boolean hasRoom(String room) {
        return false;
    }

    @Override
    public boolean roomExists(String room) {
        return false;
    }

    @Override
    public boolean isLocalSocket(String id) {
        return false;
    }

    @Override
    public void onConnectionLost() {
        lost.incrementAndGet();
    }
}
