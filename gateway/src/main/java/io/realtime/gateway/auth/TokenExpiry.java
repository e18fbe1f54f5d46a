package io.realtime.gateway.auth;

import com.corundumstudio.socketio.SocketIOClient;
import io.realtime.gateway.socketio.GatewaySocket;
import io.realtime.gateway.stats.DisconnectReason;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Ends a socket whose token has expired, {@code grace} after its {@code exp}: socket.io connections live for days,
 * and a token checked only at connect time would outlive its revocation window. The client is told first (an
 * {@code exception} event with code {@code token_expired}), then disconnected (counted as {@code token_expired});
 * its reconnection presents a fresh token. One timer per verified socket on the node's scheduler, cancelled when
 * the socket leaves.
 */
final class TokenExpiry {

    static final String EVENT = "exception";

    private final ScheduledExecutorService scheduler;
    private final Duration grace;
    private final Clock clock;
    /**
     * Each watched socket's timer. Kept here, not in the socket's store, whose keys are the socket's data: a
     * recoverable session would carry the timer along.
     */
    private final Map<SocketIOClient, ScheduledFuture<?>> timers = new ConcurrentHashMap<>();

    TokenExpiry(ScheduledExecutorService scheduler, Duration grace, Clock clock) {
        this.scheduler = scheduler;
        this.grace = grace;
        this.clock = clock;
    }

    void watch(SocketIOClient client) {
        Principal principal = Principal.of(client);
        if (!principal.verified() || !(principal.claims().get("exp") instanceof Number exp)) {
            return;
        }
        long delay = Math.max(0, exp.longValue() * 1000 + grace.toMillis() - clock.millis());
        ScheduledFuture<?> timer = scheduler.schedule(() -> {
            timers.remove(client);
            expire(client);
        }, delay, TimeUnit.MILLISECONDS);
        ScheduledFuture<?> before = timers.put(client, timer);
        if (before != null) {
            before.cancel(false);
        }
    }

    void forget(SocketIOClient client) {
        ScheduledFuture<?> timer = timers.remove(client);
        if (timer != null) {
            timer.cancel(false);
        }
    }

    private static void expire(SocketIOClient client) {
        Map<String, Object> notice = new LinkedHashMap<>();
        notice.put("status", "error");
        notice.put("code", AuthFailure.TOKEN_EXPIRED);
        notice.put("message", "token expired: connect again with a fresh token");
        GatewaySocket socket = client instanceof GatewaySocket gateway ? gateway : null;
        try {
            if (socket != null) {
                socket.sendNotice(EVENT, notice);
            } else {
                client.sendEvent(EVENT, notice);
            }
        } finally {
            // The notice is a courtesy; the disconnect is the policy, and must happen even if the notice failed.
            if (socket != null) {
                socket.disconnect(DisconnectReason.TOKEN_EXPIRED);
            } else {
                client.disconnect();
            }
        }
    }

}
