package io.realtime.gateway.features;

import com.corundumstudio.socketio.SocketIOClient;
import com.corundumstudio.socketio.annotation.OnEvent;
import com.fasterxml.jackson.databind.JsonNode;
import io.realtime.cluster.SocketIds;
import io.realtime.gateway.api.Emits;
import io.realtime.gateway.api.Gateway;
import io.realtime.gateway.api.GatewayException;
import io.realtime.gateway.auth.Principal;
import io.realtime.gateway.broadcast.BroadcastTarget;
import io.realtime.gateway.broadcast.Broadcaster;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import java.time.Clock;
import java.util.Map;

/**
 * The main namespace: echo with acks, chat to everyone, messages with their author, and each user's notifications.
 * Notifications go to a room named by the bare user id, as Node.js servers that follow the seed address them.
 */
@Gateway(namespace = "/")
@Emits({Events.CHAT_TO_CLIENT, Events.NEW_MESSAGE, Events.NOTIFICATION, Events.DATA_UPDATED, Events.EXCEPTION})
public final class MainGateway {

    private final Broadcaster broadcaster;
    private final Clock clock;

    public MainGateway(Broadcaster broadcaster, Clock clock) {
        this.broadcaster = broadcaster;
        this.clock = clock;
    }

    /** Any JSON; the ack returns it unchanged. */
    @OnEvent("events")
    public JsonNode events(JsonNode data) {
        return data;
    }

    @OnEvent("chatToServer")
    public void chatToServer(@NotNull @Size(max = Limits.MESSAGE_LENGTH) String text) {
        broadcaster.emit(BroadcastTarget.everyone("/"), Events.CHAT_TO_CLIENT, text);
    }

    @OnEvent("sendMessage")
    public void sendMessage(Principal principal, @NotNull @Size(min = 1, max = Limits.MESSAGE_LENGTH) String text) {
        broadcaster.emit(BroadcastTarget.everyone("/"), Events.NEW_MESSAGE,
                Map.of("text", text, "userId", principal.userId(), "at", clock.millis()));
    }

    /** Joins the caller's own notification room; naming another user is refused. */
    @OnEvent("subscribeToNotifications")
    public Map<String, Object> subscribeToNotifications(SocketIOClient client, Principal principal,
                                                        @Size(min = 1, max = Limits.USER_ID_LENGTH) String userId) {
        if (userId != null && !userId.equals(principal.userId())) {
            throw GatewayException.forbidden("cannot subscribe to another user's notifications");
        }
        // A user's room is named by its id: a name the client chose itself (AUTH_MODE=none) that names another socket
        // would hear what is sent to that socket. A verified id is the issuer's (a UUID subject is common), and an
        // anonymous client's is its own socket's.
        if (!principal.verified() && !principal.userId().equals(SocketIds.wire(client.getSessionId()))) {
            ReservedRooms.refuse(principal.userId());
        }
        client.joinRoom(principal.userId());
        return Map.of("subscribed", principal.userId());
    }
}
