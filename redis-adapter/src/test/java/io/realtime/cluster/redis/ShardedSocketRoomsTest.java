package io.realtime.cluster.redis;

import io.realtime.cluster.BroadcastOptions;
import io.realtime.cluster.ClusterObserver;
import io.realtime.cluster.ClusterPacket;
import io.realtime.cluster.RedisAdapterOptions;
import io.realtime.cluster.SubscriptionMode;
import io.realtime.cluster.TransportKind;
import io.realtime.cluster.core.ClusterMessage;
import io.realtime.cluster.core.ClusterMessage.Broadcast;
import io.realtime.cluster.core.MessageReceiver;
import io.realtime.cluster.core.NamespaceChannel;
import io.realtime.cluster.testing.RedisFixture;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sharded transport's room channels: a Node node sends to a room of socket.io's 20 characters on the namespace
 * channel in {@code dynamic} mode, to any other on the room's own channel; this node subscribes exactly the channels
 * someone sends on, for as long as the room or the socket it names is here.
 */
class ShardedSocketRoomsTest {

    private static final String SOCKET_IO_ID = "AbCdEfGhIjKlMnOpQrSt";
    private static final Duration WAIT = Duration.ofSeconds(5);

    private final RedisFixture redis = RedisFixture.shared();
    private final String key = "sharded-rooms-" + UUID.randomUUID();

    @Test
    void aSocketRoomIsSubscribedOnlyWhenNodeWouldSendToItsOwnChannel() {
        RedisTransport transport = connect(SubscriptionMode.DYNAMIC);
        try {
            NamespaceChannel channel = transport.open("/", new LostCounter());
            String uuid = UUID.randomUUID().toString();
            channel.roomCreated(SOCKET_IO_ID, true);
            channel.roomCreated(uuid, true);

            // Subscriptions go out in order: once the second is there, the first would be too.
            awaitSubscribers(uuid, 1);
            assertThat(subscribers(SOCKET_IO_ID)).isZero();

            channel.roomDeleted(uuid, true);
            awaitSubscribers(uuid, 0);
        } finally {
            transport.close();
        }
    }

    @Test
    void aRoomNamedLikeASocketGetsNoChannelInDynamicModeSinceNobodySendsOnIt() {
        RedisTransport transport = connect(SubscriptionMode.DYNAMIC);
        try {
            NamespaceChannel channel = transport.open("/", new Members());
            channel.roomCreated(SOCKET_IO_ID, false);
            channel.roomCreated("lobby", false);

            awaitSubscribers("lobby", 1);
            assertThat(subscribers(SOCKET_IO_ID)).isZero();
        } finally {
            transport.close();
        }
    }

    @Test
    void aSocketKeepsItsChannelWhenARoomOfItsNameEmpties() {
        RedisTransport transport = connect(SubscriptionMode.DYNAMIC_PRIVATE);
        try {
            Members members = new Members();
            NamespaceChannel channel = transport.open("/", members);
            members.sockets.add(SOCKET_IO_ID);
            channel.roomCreated(SOCKET_IO_ID, true);
            // The socket joins a room named by its own id (a user room of an anonymous socket), then leaves it.
            members.rooms.add(SOCKET_IO_ID);
            channel.roomCreated(SOCKET_IO_ID, false);
            members.rooms.remove(SOCKET_IO_ID);
            channel.roomDeleted(SOCKET_IO_ID, false);
            channel.roomCreated("lobby", false);

            awaitSubscribers("lobby", 1);
            assertThat(subscribers(SOCKET_IO_ID)).as("the connected socket's own channel").isEqualTo(1);

            members.sockets.remove(SOCKET_IO_ID);
            channel.roomDeleted(SOCKET_IO_ID, true);
            awaitSubscribers(SOCKET_IO_ID, 0);
        } finally {
            transport.close();
        }
    }

    @Test
    void aBroadcastToAUuidRoomGoesOnlyToTheNodesThatHaveIt() {
        RedisTransport sender = connect(SubscriptionMode.DYNAMIC);
        RedisTransport other = connect(SubscriptionMode.DYNAMIC);
        RedisTransport withTheRoom = connect(SubscriptionMode.DYNAMIC);
        try {
            NamespaceChannel sending = sender.open("/", new Members());
            Members members = new Members();
            other.open("/", members);
            String userRoom = UUID.randomUUID().toString();
            Members roomMembers = new Members();
            roomMembers.rooms.add(userRoom);
            withTheRoom.open("/", roomMembers).roomCreated(userRoom, false);
            awaitSubscribers("", 3);
            awaitSubscribers(userRoom, 1);

            sending.publish(broadcast(Set.of(userRoom), "to-the-user"));
            // Published after it on the same connection, the broadcast to all arrives after it would have.
            sending.publish(broadcast(Set.of(), "to-all"));

            await().atMost(WAIT).until(() -> members.events.contains("to-all") && roomMembers.events.contains("to-all"));
            assertThat(members.events).as("a node without the room").containsExactly("to-all");
            assertThat(roomMembers.events).as("the node with the room").containsExactly("to-the-user", "to-all");
        } finally {
            sender.close();
            other.close();
            withTheRoom.close();
        }
    }

    private RedisTransport connect(SubscriptionMode mode) {
        return RedisTransport.connect(RedisAdapterOptions.builder(redis.uri()).key(key).transport(TransportKind.SHARDED)
                .subscriptionMode(mode).build(), ClusterObserver.NONE);
    }

    private static Broadcast broadcast(Set<String> rooms, String event) {
        return new Broadcast("sender", ClusterPacket.of(event), new BroadcastOptions(rooms, Set.of(), false, false, null), null);
    }

    private int subscribers(String room) {
        return redis.shardSubscribers(key + "#/#" + (room.isEmpty() ? "" : room + "#"));
    }

    private void awaitSubscribers(String room, int count) {
        await().atMost(WAIT).until(() -> subscribers(room) == count);
    }

    /** A namespace whose rooms and sockets a test sets, recording the events it receives. */
    private static final class Members implements MessageReceiver {
        final Set<String> rooms = ConcurrentHashMap.newKeySet();
        final Set<String> sockets = ConcurrentHashMap.newKeySet();
        final List<String> events = new CopyOnWriteArrayList<>();

        @Override
        public void onMessage(ClusterMessage message) {
            if (message instanceof Broadcast broadcast) {
                events.add(broadcast.packet().event());
            }
        }

        @Override
        public boolean hasRoom(String room) {
            return rooms.contains(room) || sockets.contains(room);
        }

        @Override
        public boolean roomExists(String room) {
            return rooms.contains(room);
        }

        @Override
        public boolean isLocalSocket(String id) {
            return sockets.contains(id);
        }

        @Override
        public void onConnectionLost() {
        }
    }
}
