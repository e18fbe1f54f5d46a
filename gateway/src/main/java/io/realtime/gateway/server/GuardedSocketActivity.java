package io.realtime.gateway.server;

import io.realtime.gateway.engineio.FatalErrors;
import io.realtime.gateway.socketio.GatewaySocket;
import io.realtime.gateway.socketio.SocketActivity;
import io.realtime.gateway.socketio.SocketIoConnection;
import io.realtime.gateway.stats.DisconnectReason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The application's {@link SocketActivity}, kept from the protocol it observes: it is called in the middle of a
 * connection's open and close, of joins, of event dispatch and of sends (a broadcast's, once per recipient), where an
 * exception would leave the socket half opened or half closed, an event unanswered, or a broadcast's other recipients
 * unserved. A failing callback (a RuntimeException, or an Error the JVM survives: see {@link #failed}) is logged and
 * the protocol goes on.
 */
final class GuardedSocketActivity implements SocketActivity {

    private static final Logger log = LoggerFactory.getLogger(GuardedSocketActivity.class);

    private enum Callback { OPENED, UPGRADED, CLOSED, CONNECTED, DATA_CHANGED, DISCONNECTED, ROOM_JOINED, ROOM_LEFT, EVENT_RECEIVED, EVENT_SENT, FOLLOWS_EVENTS }

    private final SocketActivity activity;
    /**
     * Whether a callback's failure has been logged at WARN: one that fails for every socket, or every recipient of a
     * broadcast, would otherwise fill the log with the same stack trace from the event loops; later ones go to DEBUG.
     */
    private final AtomicBoolean[] reported = new AtomicBoolean[Callback.values().length];

    private GuardedSocketActivity(SocketActivity activity) {
        this.activity = activity;
        for (int i = 0; i < reported.length; i++) {
            reported[i] = new AtomicBoolean();
        }
    }

    static SocketActivity of(SocketActivity activity) {
        java.util.Objects.requireNonNull(activity, "activity");
        return activity == SocketActivity.NONE || activity instanceof GuardedSocketActivity
                ? activity : new GuardedSocketActivity(activity);
    }

    @Override
    public void opened(SocketIoConnection connection) {
        try {
            activity.opened(connection);
        } catch (RuntimeException | Error e) {
            failed(Callback.OPENED, e);
        }
    }

    @Override
    public void upgraded(SocketIoConnection connection, String transport) {
        try {
            activity.upgraded(connection, transport);
        } catch (RuntimeException | Error e) {
            failed(Callback.UPGRADED, e);
        }
    }

    @Override
    public void closed(SocketIoConnection connection, DisconnectReason reason) {
        try {
            activity.closed(connection, reason);
        } catch (RuntimeException | Error e) {
            failed(Callback.CLOSED, e);
        }
    }

    @Override
    public void connected(GatewaySocket socket) {
        try {
            activity.connected(socket);
        } catch (RuntimeException | Error e) {
            failed(Callback.CONNECTED, e);
        }
    }

    @Override
    public void dataChanged(GatewaySocket socket) {
        try {
            activity.dataChanged(socket);
        } catch (RuntimeException | Error e) {
            failed(Callback.DATA_CHANGED, e);
        }
    }

    @Override
    public void disconnected(GatewaySocket socket, DisconnectReason reason) {
        try {
            activity.disconnected(socket, reason);
        } catch (RuntimeException | Error e) {
            failed(Callback.DISCONNECTED, e);
        }
    }

    @Override
    public void roomJoined(GatewaySocket socket, String room) {
        try {
            activity.roomJoined(socket, room);
        } catch (RuntimeException | Error e) {
            failed(Callback.ROOM_JOINED, e);
        }
    }

    @Override
    public void roomLeft(GatewaySocket socket, String room) {
        try {
            activity.roomLeft(socket, room);
        } catch (RuntimeException | Error e) {
            failed(Callback.ROOM_LEFT, e);
        }
    }

    @Override
    public void eventReceived(GatewaySocket socket, String event, List<Object> args) {
        try {
            activity.eventReceived(socket, event, args);
        } catch (RuntimeException | Error e) {
            failed(Callback.EVENT_RECEIVED, e);
        }
    }

    @Override
    public void eventSent(GatewaySocket socket, String event, List<?> args) {
        try {
            activity.eventSent(socket, event, args);
        } catch (RuntimeException | Error e) {
            failed(Callback.EVENT_SENT, e);
        }
    }

    @Override
    public boolean followsEvents() {
        try {
            return activity.followsEvents();
        } catch (RuntimeException | Error e) {
            failed(Callback.FOLLOWS_EVENTS, e);
            return false;
        }
    }

    /**
     * A listener's Error the JVM survives (an AssertionError, a class of the application that failed to load) is its
     * bug as a RuntimeException is, and is ignored the same way: let through, it would leave the socket as half done
     * as a RuntimeException would. A fatal one goes on to the thread.
     */
    private void failed(Callback callback, Throwable e) {
        FatalErrors.rethrowIfFatal(e);
        if (reported[callback.ordinal()].compareAndSet(false, true)) {
            log.warn("the socket activity listener {} failed in {} (ignored; later failures of it are logged at DEBUG)",
                    activity.getClass().getName(), callback, e);
        } else {
            log.debug("the socket activity listener {} failed in {}", activity.getClass().getName(), callback, e);
        }
    }

    @Override
    public String toString() {
        return "guarded " + activity;
    }
}
