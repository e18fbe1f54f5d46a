package io.realtime.gateway.server;

import com.corundumstudio.socketio.AckCallback;
import com.corundumstudio.socketio.MultiTypeAckCallback;
import com.corundumstudio.socketio.MultiTypeArgs;
import com.corundumstudio.socketio.ack.AckManager;
import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.scheduler.CancelableScheduler;
import io.realtime.gateway.socketio.AbandonableAck;
import io.realtime.gateway.stats.TrafficObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

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

    /** An ack timed out: counted (as abandoned while its connection ends), then its callback run. */
    private void timedOut(Runnable onTimeout) {
        if (ENDING.get()) {
            observer.ackAbandoned();
        } else {
            observer.ackTimedOut();
        }
        runTimeout(onTimeout);
    }

    /** An ack given up by its socket (see {@link AbandonableAck}): counted as abandoned, then its callback run. */
    private void abandoned(Runnable onTimeout) {
        observer.ackAbandoned();
        runTimeout(onTimeout);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private AckCallback<?> observed(AckCallback<?> callback, long askedAt) {
        if (callback instanceof MultiTypeAckCallback multi) {
            return new ObservedMulti(multi, askedAt);
        }
        return new Observed(callback, askedAt);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private final class Observed extends AckCallback implements AbandonableAck {
        /**
         * Set by the first call that settles the ack. netty-socketio runs a timeout on a random event loop and calls
         * back a closing connection's acks on its own, each reading the callback without taking it: both could call
         * one ack's timeout, and an answer could follow it.
         */
        private static final AtomicIntegerFieldUpdater<Observed> SETTLED =
                AtomicIntegerFieldUpdater.newUpdater(Observed.class, "settled");
        private final AckCallback raw;
        private final long askedAt;
        private volatile int settled;

        Observed(AckCallback<?> raw, long askedAt) {
            super(raw.getResultClass(), raw.getTimeout());
            this.raw = raw;
            this.askedAt = askedAt;
        }

        private boolean settle() {
            return SETTLED.compareAndSet(this, 0, 1);
        }

        @Override
        public void onSuccess(Object result) {
            if (settle()) {
                observer.ackAnswered(System.nanoTime() - askedAt);
                raw.onSuccess(result);
            }
        }

        @Override
        public void onTimeout() {
            if (settle()) {
                timedOut(raw::onTimeout);
            }
        }

        @Override
        public void abandon() {
            if (settle()) {
                abandoned(raw::onTimeout);
            }
        }
    }

    private final class ObservedMulti extends MultiTypeAckCallback implements AbandonableAck {
        /** As {@link Observed#SETTLED}. */
        private static final AtomicIntegerFieldUpdater<ObservedMulti> SETTLED =
                AtomicIntegerFieldUpdater.newUpdater(ObservedMulti.class, "settled");
        private final MultiTypeAckCallback multi;
        private final long askedAt;
        private volatile int settled;

        ObservedMulti(MultiTypeAckCallback multi, long askedAt) {
            super(multi.getResultClasses());
            this.multi = multi;
            this.askedAt = askedAt;
        }

        private boolean settle() {
            return SETTLED.compareAndSet(this, 0, 1);
        }

        @Override
        public void onSuccess(MultiTypeArgs result) {
            if (settle()) {
                observer.ackAnswered(System.nanoTime() - askedAt);
                multi.onSuccess(result);
            }
        }

        @Override
        public void onTimeout() {
            if (settle()) {
                timedOut(multi::onTimeout);
            }
        }

        @Override
        public void abandon() {
            if (settle()) {
                abandoned(multi::onTimeout);
            }
        }

        @Override
        public int getTimeout() {
            return multi.getTimeout();
        }
    }
}
