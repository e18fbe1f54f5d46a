package io.realtime.gateway.features;

import io.realtime.gateway.broadcast.ServerPush;

/** Names of the events the built-in features send; the public API, listed in {@code gateway/asyncapi.yaml}. */
public final class Events {

    public static final String CHAT_TO_CLIENT = "chatToClient";
    public static final String NEW_MESSAGE = "newMessage";
    public static final String NOTIFICATION = ServerPush.NOTIFICATION;
    public static final String DATA_UPDATED = ServerPush.DATA_UPDATED;
    public static final String EXCEPTION = "exception";
    public static final String JOINED_ROOM = "joinedRoom";
    public static final String LEFT_ROOM = "leftRoom";
    public static final String DASHBOARD_UPDATE = "dashboardUpdate";

    private Events() {
    }
}
