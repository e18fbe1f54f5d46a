package io.realtime.cluster.core;

import io.realtime.cluster.ClusterObserver;
import io.realtime.cluster.ClusterStats;
import io.realtime.cluster.ClusterTimeoutException;
import io.realtime.cluster.ClusterUnavailableException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The requests of one namespace waiting for other servers' answers: each finishes when {@code expected} servers
 * answered, or fails at its timeout with a {@link ClusterTimeoutException} carrying what arrived (this node's own
 * part included). A server that answers twice (a message delivered twice, as a resubscribed shard connection can)
 * counts once when its answers name it; the classic wire's answers name no server and each counts.
 *
 * <p>Answers, failures and timeouts come from different threads (the Redis link's, its listeners', the scheduler's),
 * each at any moment of the others: a request completes exactly once, and always.
 */
final class Requests {

    private final ScheduledExecutorService scheduler;
    private final ClusterObserver observer;
    private final ClusterStats stats;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();

    private static final class Pending {
        final String metricName;
        final int expected;
        final List<Object> results;
        final CompletableFuture<List<Object>> promise = new CompletableFuture<>();
        final long startedAt = System.nanoTime();
        final java.util.Set<String> responders = new java.util.HashSet<>();
        int answered;
        /** Set just after the request is listed: a failure or answer in between finds it null. */
        volatile ScheduledFuture<?> timeout;

        void stopTimer() {
            ScheduledFuture<?> timer = timeout;
            if (timer != null) {
                timer.cancel(false);
            }
        }

        Pending(String metricName, int expected, List<Object> initial) {
            this.metricName = metricName;
            this.expected = expected;
            this.results = new ArrayList<>(initial);
        }
    }

    Requests(ScheduledExecutorService scheduler, ClusterObserver observer, ClusterStats stats) {
        this.scheduler = scheduler;
        this.observer = observer;
        this.stats = stats;
    }

    /** Waits for the answers of {@code expected} other servers; {@code initial} is this node's part of the result. */
    CompletableFuture<List<Object>> start(String requestId, String metricName, int expected, Collection<?> initial, Duration timeout) {
        Pending request = new Pending(metricName, expected, new ArrayList<>(initial));
        pending.put(requestId, request);
        try {
            request.timeout = scheduler.schedule(() -> timedOut(requestId, request), timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // The link closed (its scheduler stopped): the request fails now rather than stay listed, unanswered and
            // never timed out.
            if (pending.remove(requestId, request)) {
                stats.recordRequestFailure();
                request.promise.completeExceptionally(new ClusterUnavailableException(
                        "the cluster request could not be started: the Redis link is closed", e));
            }
            return request.promise;
        }
        if (pending.get(requestId) != request) {
            // Answered or failed before its timer was set: the timer has nothing left to end.
            request.stopTimer();
        }
        return request.promise;
    }

    boolean isPending(String requestId) {
        return requestId != null && pending.containsKey(requestId);
    }

    /** Server {@code responder}'s answer (null when the wire does not name it): its items are added to the result. */
    void answer(String requestId, String responder, Collection<?> items) {
        Pending request = requestId == null ? null : pending.get(requestId);
        if (request == null) {
            return;
        }
        List<Object> complete;
        synchronized (request) {
            if (responder != null && !request.responders.add(responder)) {
                return;
            }
            request.results.addAll(items);
            request.answered++;
            if (request.answered < request.expected || !pending.remove(requestId, request)) {
                return;
            }
            complete = new ArrayList<>(request.results);
        }
        // Outside the lock: the caller's callbacks run on completion, and a late answer must not wait for them.
        request.stopTimer();
        observer.requestCompleted(request.metricName, System.nanoTime() - request.startedAt);
        request.promise.complete(complete);
    }

    void fail(String requestId, Throwable failure) {
        Pending request = pending.remove(requestId);
        if (request != null) {
            stats.recordRequestFailure();
            request.promise.completeExceptionally(failure);
            request.stopTimer();
        }
    }

    /**
     * Forgets a request that was never sent (the transport could not encode it and threw to the caller): neither a
     * failure of the cluster nor, later, a timeout.
     */
    void forget(String requestId) {
        Pending request = pending.remove(requestId);
        if (request != null) {
            request.stopTimer();
        }
    }

    void failAll(Supplier<? extends RuntimeException> failure) {
        List.copyOf(pending.keySet()).forEach(requestId -> fail(requestId, failure.get()));
    }

    private void timedOut(String requestId, Pending request) {
        if (pending.remove(requestId, request)) {
            stats.recordRequestTimeout();
            observer.requestTimedOut(request.metricName);
            ClusterTimeoutException timeout;
            synchronized (request) {
                timeout = new ClusterTimeoutException("timeout reached: only " + request.answered
                        + " responses received out of " + request.expected, request.results);
            }
            request.promise.completeExceptionally(timeout);
        }
    }
}
