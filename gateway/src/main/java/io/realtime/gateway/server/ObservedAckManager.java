package io.realtime.gateway.server;

import com.corundumstudio.socketio.AckCallback;
import com.corundumstudio.socketio.MultiTypeAckCallback;
import com.corundumstudio.socketio.MultiTypeArgs;
import com.corundumstudio.socketio.ack.AckManager;
import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.scheduler.CancelableScheduler;
import io.realtime.gateway.stats.TrafficObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;

/**
 * netty-socketio's ack bookkeeping, reporting each server-to-client ack: asked, answered (with latency), timed out.
 * A connection that ends with acks pending has them called back as timeouts; those are not counted as such (the
 * client did not ignore them, it left).
 */
final class ObservedAckManager extends AckManager {

    private static final Logger log = LoggerFactory.getLogger(ObservedAckManager.class);

    /** Set while this thread calls back the pending acks of a connection that ended. */
    private static final ThreadLocal<Boolean> ENDING = ThreadLocal.withInitial(() -> Boolean.FALSE);

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

    @Override
    public void onDisconnect(ClientHead client) {
        ENDING.set(Boolean.TRUE);
        try {
            super.onDisconnect(client);
        } finally {
            ENDING.remove();
        }
    }

    /**
     * Runs an application's timeout callback. When a connection ends, netty-socketio calls its pending callbacks in
     * one loop: one that throws would leave the others uncalled, their callers waiting for good.
     */
    private static void runTimeout(Runnable onTimeout) {
        try {
            onTimeout.run();
        } catch (RuntimeException e) {
            log.error("an ack's timeout callback failed", e);
        }
    }

    private void timedOut() {
        if (ENDING.get()) {
            observer.ackAbandoned();
        } else {
            observer.ackTimedOut();
        }
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
                    timedOut();
                    runTimeout(multi::onTimeout);
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
                timedOut();
                runTimeout(raw::onTimeout);
            }
        };
    }
}
