package io.realtime.gateway.admission;

import io.realtime.gateway.limits.TokenBucket;

import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * At most {@code perSecond} handshakes per second from one address, sustained, and twice that at once. The buckets
 * of addresses gone quiet are forgotten once there are many of them, in one sweep a second at most: a sweep walks
 * them all, which under a stream of new addresses would otherwise be paid by every handshake.
 */
final class HandshakeRateLimit implements AdmissionPolicy {

    private static final int FORGET_IDLE_ABOVE = 10_000;
    private static final long SWEEP_EVERY_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(1);

    private final int perSecond;
    private final Map<InetAddress, TokenBucket> buckets = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong lastSweep = new java.util.concurrent.atomic.AtomicLong(System.nanoTime());

    HandshakeRateLimit(int perSecond) {
        this.perSecond = perSecond;
    }

    @Override
    public Refusal check(InetAddress address) {
        long now = System.nanoTime();
        long swept = lastSweep.get();
        if (buckets.size() > FORGET_IDLE_ABOVE && now - swept > SWEEP_EVERY_NANOS && lastSweep.compareAndSet(swept, now)) {
            buckets.values().removeIf(bucket -> {
                synchronized (bucket) {
                    return bucket.isIdle();
                }
            });
        }
        TokenBucket bucket = buckets.computeIfAbsent(address, key -> new TokenBucket(perSecond, perSecond * 2.0));
        // Handshakes of one address may arrive on several loops; a bucket is not thread-safe on its own.
        synchronized (bucket) {
            return bucket.tryTake() ? null : Refusal.TOO_MANY_FROM_ADDRESS;
        }
    }
}
