package io.realtime.cluster.core;

import io.realtime.cluster.ClusterObserver;
import io.realtime.cluster.ClusterStats;
import io.realtime.cluster.ClusterTimeoutException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The requests of one namespace waiting for other servers' answers: each finishes when {@code expected} servers
 * answered and this node's own part is in (worked out meanwhile on the cluster's work thread), first in the result,
 * or fails at its timeout with a {@link ClusterTimeoutException} carrying what arrived (this node's own part included
 * when it was in). A server that answers twice (a message delivered twice, as a resubscribed shard connection can)
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
        /** This node's part: null until it is in. */
        List<Object> own;
        /** The other servers' answers, in their order of arrival. */
        final List<Object> results = new ArrayList<>();
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

        Pending(String metricName, int expected) {
            this.metricName = metricName;
            this.expected = expected;
        }

        /** Whether every part is in; called holding the lock. */
        boolean complete() {
            return own != null && answered >= expected;
        }

        /** This node's part first (when in), then the answers; called holding the lock. */
        List<Object> all() {
            List<Object> all = new ArrayList<>((own == null ? 0 : own.size()) + results.size());
            if (own != null) {
                all.addAll(own);
            }
            all.addAll(results);
            return all;
        }
    }

    Requests(ScheduledExecutorService scheduler, ClusterObserver observer, ClusterStats stats) {
        this.scheduler = scheduler;
        this.observer = observer;
        this.stats = stats;
    }

    /** Waits for the answers of {@code expected} other servers; {@code initial} is this node's part of the result. */
    CompletableFuture<List<Object>> start(String requestId, String metricName, int expected, Collection<?> initial, Duration timeout) {
        return start(requestId, metricName, expected, CompletableFuture.completedFuture(initial), timeout);
    }

    /**
     * Waits for the answers of {@code expected} other servers and for {@code own}, this node's part of the result,
     * which comes first in it whenever it completes; its failure fails the request.
     */
    CompletableFuture<List<Object>> start(String requestId, String metricName, int expected,
                                          CompletionStage<? extends Collection<?>> own, Duration timeout) {
        Pending request = new Pending(metricName, expected);
        pending.put(requestId, request);
        request.timeout = scheduler.schedule(() -> timedOut(requestId, request), timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (pending.get(requestId) != request) {
            // Answered or failed before its timer was set: the timer has nothing left to end.
            request.stopTimer();
        }
        own.whenComplete((items, failure) -> {
            if (failure != null) {
                fail(requestId, failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure);
            } else {
                ownPart(requestId, request, items);
            }
        });
        return request.promise;
    }

    private void ownPart(String requestId, Pending request, Collection<?> items) {
        List<Object> complete;
        synchronized (request) {
            if (request.own != null) {
                return;
            }
            request.own = new ArrayList<>(items);
            if (!request.complete() || !pending.remove(requestId, request)) {
                return;
            }
            complete = request.all();
        }
        completed(request, complete);
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
            if (!request.complete() || !pending.remove(requestId, request)) {
                return;
            }
            complete = request.all();
        }
        completed(request, complete);
    }

    private void completed(Pending request, List<Object> complete) {
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
                        + " responses received out of " + request.expected, request.all());
            }
            request.promise.completeExceptionally(timeout);
        }
    }
}
