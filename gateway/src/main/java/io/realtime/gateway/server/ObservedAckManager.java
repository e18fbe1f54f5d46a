package io.realtime.gateway.server;

import com.corundumstudio.socketio.AckCallback;
import com.corundumstudio.socketio.MultiTypeAckCallback;
import com.corundumstudio.socketio.MultiTypeArgs;
import com.corundumstudio.socketio.ack.AckManager;
import com.corundumstudio.socketio.scheduler.CancelableScheduler;
import io.realtime.gateway.stats.TrafficObserver;

import java.util.UUID;

/** netty-socketio's ack bookkeeping, reporting each server-to-client ack: asked, answered (with latency), timed out. */
final class ObservedAckManager extends AckManager {

    private final TrafficObserver observer;

    ObservedAckManager(CancelableScheduler scheduler, TrafficObserver observer) {
        super(scheduler);
        this.observer = observer;
    }

    @Override
    public long registerAck(UUID sessionId, AckCallback<?> callback) {
        observer.ackRequested();
        return super.registerAck(sessionId, observed(callback, System.nanoTime()));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private AckCallback<?> observed(AckCallback<?> callback, long askedAt) {
        if (callback instanceof MultiTypeAckCallback multi) {
            return new MultiTypeAckCallback(multi.getResultClasses()) {
                @Override
                public void onSuccess(MultiTypeArgs result) {
                    observer.ackAnswered(System.nanoTime() - askedAt);
                    multi.onSuccess(result);
                }

                @Override
                public void onTimeout() {
                    observer.ackTimedOut();
                    multi.onTimeout();
                }

                @Override
                public int getTimeout() {
                    return multi.getTimeout();
                }
            };
        }
        AckCallback raw = callback;
        return new AckCallback(raw.getResultClass(), raw.getTimeout()) {
            @Override
            public void onSuccess(Object result) {
                observer.ackAnswered(System.nanoTime() - askedAt);
                raw.onSuccess(result);
            }

            @Override
            public void onTimeout() {
                observer.ackTimedOut();
                raw.onTimeout();
            }
        };
    }
}
