package io.realtime.gateway.broadcast;

import io.realtime.gateway.socketio.NamespaceNames;

/**
 * What backend services push to clients, whichever way it enters (the backend API, the demo page, the
 * {@code dataUpdate} Redis channel): one user's notification, or data for every client of the main namespace.
 * The event names are the public API ({@code gateway/asyncapi.yaml}).
 */
public final class ServerPush {

    /** Sent to one user's sockets: the room named by the bare user id in the main namespace. */
    public static final String NOTIFICATION = "notification";
    /** Sent to every client of the main namespace. */
    public static final String DATA_UPDATED = "dataUpdated";

    private final Broadcaster broadcaster;

    public ServerPush(Broadcaster broadcaster) {
        this.broadcaster = broadcaster;
    }

    /** Sends a notification to every socket of {@code userId}, on any node; returns where it went. */
    public BroadcastTarget notifyUser(String userId, Object body) {
        return emit(BroadcastTarget.room(NamespaceNames.MAIN, userId), NOTIFICATION, body);
    }

    /** Sends data to every client of the main namespace, on any node. */
    public BroadcastTarget dataUpdated(Object data) {
        return emit(BroadcastTarget.everyone(NamespaceNames.MAIN), DATA_UPDATED, data);
    }

    /** Sends data to the clients of the main namespace on this node only (each node hears the channel itself). */
    public BroadcastTarget dataUpdatedOnThisNode(Object data) {
        return emit(BroadcastTarget.everyone(NamespaceNames.MAIN).onThisNode(), DATA_UPDATED, data);
    }

    /** Any event to any target: the backend API's generic emit. */
    public BroadcastTarget emit(BroadcastTarget target, String event, Object... args) {
        broadcaster.emit(target, event, args);
        return target;
    }
}
