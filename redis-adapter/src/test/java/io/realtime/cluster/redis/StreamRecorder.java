package io.realtime.cluster.redis;

import io.realtime.cluster.core.ClusterMessage;
import io.realtime.cluster.core.ClusterMessage.Broadcast;
import io.realtime.cluster.core.MessageReceiver;
import io.realtime.cluster.recovery.SessionRecovery;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A namespace with every room and no local socket that records what its transport hands it, with the offset of
 * what came through the stream; when {@link #recovery} is set, broadcasts read back go through it, as the core hands
 * them to its recovery.
 */
class StreamRecorder implements MessageReceiver {

    record Received(ClusterMessage message, String offset) {
    }

    final List<Received> received = new CopyOnWriteArrayList<>();
    volatile SessionRecovery recovery;

    /** How many messages came through the stream (with an offset); pub/sub requests and answers are not counted. */
    long logged() {
        return received.stream().filter(r -> r.offset() != null).count();
    }

    @Override
    public void onMessage(ClusterMessage message) {
        received.add(new Received(message, null));
    }

    @Override
    public void onMessage(ClusterMessage message, String offset) {
        received.add(new Received(message, offset));
        SessionRecovery delivering = recovery;
        if (delivering != null && message instanceof Broadcast broadcast) {
            delivering.delivered(offset, broadcast.packet(), broadcast.opts(), packet -> () -> { });
        }
    }

    @Override
    public boolean hasRoom(String room) {
        return true;
    }

    @Override
    public boolean roomExists(String room) {
        return true;
    }

    @Override
    public boolean isLocalSocket(String id) {
        return false;
    }

    @Override
    public void onConnectionLost() {
    }
}
