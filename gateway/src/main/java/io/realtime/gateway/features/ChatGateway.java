package io.realtime.gateway.features;

import com.corundumstudio.socketio.SocketIOClient;
import com.corundumstudio.socketio.annotation.OnEvent;
import io.realtime.cluster.SocketIds;
import io.realtime.gateway.api.Emits;
import io.realtime.gateway.api.Gateway;
import io.realtime.gateway.api.GatewayException;
import io.realtime.gateway.auth.Principal;
import io.realtime.gateway.broadcast.BroadcastTarget;
import io.realtime.gateway.broadcast.Broadcaster;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import java.time.Clock;
import java.util.Map;
import java.util.Set;

/** Chat rooms: join, leave, and talk to the members of a room you are in. Needs a token when AUTH_MODE=jwt. */
@Gateway(namespace = "/chat")
@Emits({Events.JOINED_ROOM, Events.LEFT_ROOM, Events.CHAT_TO_CLIENT, Events.EXCEPTION})
public final class ChatGateway {

    /** A message for the members of a room. */
    public record RoomMessage(
            @NotNull @Pattern(regexp = Limits.ROOM_PATTERN) String room,
            @NotNull @Size(min = 1, max = Limits.MESSAGE_LENGTH) String message) {
    }

    private final Broadcaster broadcaster;
    private final Clock clock;

    public ChatGateway(Broadcaster broadcaster, Clock clock) {
        this.broadcaster = broadcaster;
        this.clock = clock;
    }

    @OnEvent("joinRoom")
    public Map<String, Object> joinRoom(SocketIOClient client, @NotNull @Pattern(regexp = Limits.ROOM_PATTERN) String room) {
        ReservedRooms.refuse(room);
        Set<String> rooms = client.getAllRooms();
        if (!rooms.contains(room) && chatRooms(client, rooms) >= Limits.ROOMS_PER_SOCKET) {
            throw GatewayException.forbidden("a socket may be in at most " + Limits.ROOMS_PER_SOCKET + " rooms: leave one first");
        }
        client.joinRoom(room);
        client.sendEvent(Events.JOINED_ROOM, room);
        return Map.of("room", room, "joined", true);
    }

    /** The rooms the socket joined itself: not its namespace's, nor its own. */
    private static long chatRooms(SocketIOClient client, Set<String> rooms) {
        String ownId = SocketIds.wire(client.getSessionId());
        String ownUuid = client.getSessionId().toString();
        String namespace = client.getNamespace().getName();
        return rooms.stream().filter(room -> !room.equals(ownId) && !room.equals(ownUuid) && !room.equals(namespace)).count();
    }

    @OnEvent("leaveRoom")
    public Map<String, Object> leaveRoom(SocketIOClient client, @NotNull @Pattern(regexp = Limits.ROOM_PATTERN) String room) {
        // Leaving its own room or the namespace's would cut the socket off from what is sent to it.
        ReservedRooms.refuse(room);
        client.leaveRoom(room);
        client.sendEvent(Events.LEFT_ROOM, room);
        return Map.of("room", room, "left", true);
    }

    @OnEvent("chatToRoom")
    public Map<String, Object> chatToRoom(SocketIOClient client, Principal principal, @NotNull @Valid RoomMessage message) {
        ReservedRooms.refuse(message.room());
        if (!client.getAllRooms().contains(message.room())) {
            throw GatewayException.forbidden("join room '" + message.room() + "' before sending to it");
        }
        broadcaster.emit(BroadcastTarget.room("/chat", message.room()), Events.CHAT_TO_CLIENT, Map.of(
                "room", message.room(), "message", message.message(), "from", principal.userId(), "at", clock.millis()));
        return Map.of("room", message.room(), "sent", true);
    }
}
