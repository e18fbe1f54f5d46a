package io.realtime.gateway.socketio;

import com.corundumstudio.socketio.namespace.Namespace;
import com.corundumstudio.socketio.protocol.EngineIOVersion;
import io.realtime.cluster.ClusterPacket;
import io.realtime.cluster.SocketIds;
import io.realtime.cluster.recovery.RestoreRefusal;
import io.realtime.cluster.recovery.SessionRecovery;
import io.realtime.cluster.recovery.SessionState;
import io.realtime.gateway.auth.Principal;
import io.realtime.gateway.recovery.RecoveryRequest;
import io.realtime.gateway.recovery.SessionAttributes;
import io.realtime.gateway.recovery.SessionIds;
import io.realtime.gateway.stats.RecoveryFailure;
import io.realtime.gateway.stats.TrafficObserver;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Makes the socket of an admitted namespace CONNECT: a new one (with a pid when connection state recovery is on),
 * or, when the client asks for its session back and it can be recovered, the session's socket and what it missed
 * (socket.io's {@code Namespace._createSocket} with {@code restoreSession}).
 */
final class SocketOpener {

    /** The socket, and the events to replay to it just before its CONNECT answer (none for a new session). */
    record Opened(GatewaySocket socket, List<ClusterPacket> missed, boolean recovered) {
    }

    private final Function<String, SessionRecovery> recoveries;
    private final TrafficObserver observer;

    /** @param recoveries a namespace's recovery by wire name; {@code null} when recovery is off */
    SocketOpener(Function<String, SessionRecovery> recoveries, TrafficObserver observer) {
        this.recoveries = recoveries;
        this.observer = observer;
    }

    /**
     * The recovered socket when the client asks for its session back and it can be recovered; empty otherwise (then
     * {@link #openNew}). Never waits: a restore from Redis completes later, and the socket is attached (registered,
     * in its rooms) on the connection's loop, in the task that completes the stage, so its CONNECT answer and replay
     * go out before anything live can reach it.
     *
     * @param register called with the namespace's wire name and the socket, as soon as the socket exists
     */
    CompletionStage<Optional<Opened>> recover(SocketIoConnection connection, Namespace namespace, String namespaceName,
                                              PendingSocket pending, BiConsumer<String, GatewaySocket> register) {
        SessionRecovery recovery = recoveryOf(connection, namespaceName);
        if (recovery == null) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        Object auth = pending.getHandshakeData().getAuthToken();
        Optional<RecoveryRequest> request = RecoveryRequest.of(auth);
        if (request.isEmpty()) {
            if (RecoveryRequest.asked(auth)) {
                observer.recoveryFailed(RecoveryRequest.withoutOffset(auth) ? RecoveryFailure.NO_OFFSET : RecoveryFailure.INVALID);
            }
            return CompletableFuture.completedFuture(Optional.empty());
        }
        GatewaySocket[] attached = new GatewaySocket[1];
        boolean[] sessionOfAnotherUser = new boolean[1];
        Executor loop = connection.engineSession().eventLoop();
        return recovery.restore(request.get().pid(), request.get().offset(), loop, restored -> {
            SessionState state = restored.state();
            Map<String, Object> kept = SessionAttributes.fromWire(state.attributes());
            Map<String, Object> authenticated = new HashMap<>();
            pending.keys().forEach(key -> authenticated.put(key, pending.get(key)));
            String sessionUser = userOf(kept);
            if (sessionUser != null && !sessionUser.equals(userOf(authenticated))) {
                // A user's session, its pid presented with another user's credentials or none: it is given up, rooms
                // and all, and this client gets a new one. (An anonymous session, or one a Node.js node kept, names
                // no user: whoever presents its secret pid takes it, as socket.io has it.)
                sessionOfAnotherUser[0] = true;
                return;
            }
            GatewaySocket socket = GatewaySocket.create(connection, namespace, pending.getHandshakeData(),
                    SocketIds.parse(state.sid()), state.pid(), recovery);
            register.accept(namespaceName, socket);
            // Authentication ran again and passed: what it set (the principal of the token just presented, with its
            // expiry) holds; the rest of the data is the session's.
            socket.keep(pending.keys());
            kept.keySet().removeAll(authenticated.keySet());
            kept.forEach(socket::set);
            Set<String> rooms = new LinkedHashSet<>(state.rooms());
            rooms.remove(state.sid());
            if (!rooms.isEmpty()) {
                socket.joinRooms(rooms);
            }
            socket.sessionChanged();
            attached[0] = socket;
        }).handle((result, failure) -> {
            if (failure == null && sessionOfAnotherUser[0]) {
                observer.recoveryFailed(RecoveryFailure.ANOTHER_USER);
                return Optional.<Opened>empty();
            }
            if (failure != null || !result.isRecovered()) {
                observer.recoveryFailed(failure != null ? RecoveryFailure.UNAVAILABLE : failureOf(result.refusal()));
                return Optional.<Opened>empty();
            }
            observer.recovered(namespaceName, result.session().missed().size());
            return Optional.of(new Opened(attached[0], result.session().missed(), true));
        });
    }

    /** A new socket (with a pid when recovery is on); on the connection's loop. */
    Opened openNew(SocketIoConnection connection, Namespace namespace, String namespaceName, PendingSocket pending,
                   BiConsumer<String, GatewaySocket> register) {
        SessionRecovery recovery = recoveryOf(connection, namespaceName);
        GatewaySocket socket = GatewaySocket.create(connection, namespace, pending.getHandshakeData(),
                pending.getSessionId(), recovery == null ? null : SessionIds.newPid(), recovery);
        socket.keep(pending.keys());
        register.accept(namespaceName, socket);
        socket.sessionChanged();
        return new Opened(socket, List.of(), false);
    }

    /** The user a socket's attributes name (its principal's), or null for an anonymous one. */
    private static String userOf(Map<String, Object> attributes) {
        for (Object value : attributes.values()) {
            if (value instanceof Principal principal) {
                return principal.userId();
            }
        }
        return null;
    }

    private static RecoveryFailure failureOf(RestoreRefusal refusal) {
        return switch (refusal) {
            case MALFORMED_OFFSET -> RecoveryFailure.INVALID;
            case OFFSET_GONE -> RecoveryFailure.OFFSET_GONE;
            case UNKNOWN_SESSION -> RecoveryFailure.NOT_FOUND;
            case STILL_CONNECTED -> RecoveryFailure.STILL_CONNECTED;
            case UNAVAILABLE -> RecoveryFailure.UNAVAILABLE;
        };
    }

    private SessionRecovery recoveryOf(SocketIoConnection connection, String namespaceName) {
        return recoveries != null && connection.getEngineIOVersion() == EngineIOVersion.V4
                ? recoveries.apply(namespaceName) : null;
    }
}
