package io.realtime.cluster.redis;

import io.realtime.cluster.RedisAdapterOptions;
import io.realtime.cluster.SubscriptionMode;
import io.realtime.cluster.core.ClusterMessage;
import io.realtime.cluster.core.ClusterMessage.Broadcast;
import io.realtime.cluster.core.MalformedMessageException;
import io.realtime.cluster.core.MessageReceiver;
import io.realtime.cluster.core.MessageType;
import io.realtime.cluster.core.NamespaceChannel;
import io.realtime.cluster.redis.RedisLink.Delivery;
import io.realtime.cluster.redis.RedisLink.Mode;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * Node's {@code createShardedAdapter} (8.3) on Redis 7 sharded pub/sub ({@code SPUBLISH}/{@code SSUBSCRIBE}):
 * each node subscribes to {@code key#nsp#} and its own {@code key#nsp#uid#} (responses); in the dynamic modes also
 * to {@code key#nsp#room#} while {@code room} has a member here, so a one-room broadcast reaches only the nodes
 * that have that room. The server count is {@code PUBSUB SHARDNUMSUB} of {@code key#nsp#}.
 */
final class ShardedTransport extends RedisTransport {

    ShardedTransport(RedisLink link, RedisAdapterOptions options) {
        super(link, options);
    }

    @Override
    public NamespaceChannel open(String namespace, MessageReceiver receiver) {
        return new Channel(namespace, receiver);
    }

    /**
     * Whether a room is named like a socket, as Node's adapter checks: socket.io's ids are 20 characters. In
     * {@code dynamic} mode every publisher, Node's or ours, sends to such a room on the namespace channel; any other
     * room (a stock netty-socketio socket's UUID too) goes on the room's own channel.
     */
    static boolean looksLikeASocketId(String room) {
        return room.length() == 20;
    }

    private final class Channel implements NamespaceChannel {

        private final String uid = randomHex(8);
        private final ShardedCodec codec;
        private final MessageReceiver receiver;
        private final SubscriptionMode mode = options.subscriptionMode();
        private final String channel;
        private final String responseChannel;
        /** The room channels held now; guarded by itself (joins and leaves come from every event loop). */
        private final Set<String> roomChannels = new HashSet<>();

        private final Runnable stopLostListener;

        Channel(String namespace, MessageReceiver receiver) {
            this.codec = new ShardedCodec(namespace);
            this.receiver = receiver;
            this.channel = options.key() + "#" + namespace + "#";
            this.responseChannel = channel + uid + "#";
            link.ssubscribe(channel, this::onMessage);
            link.ssubscribe(responseChannel, this::onMessage);
            this.stopLostListener = link.onConnectionLost(receiver::onConnectionLost);
        }

        @Override
        public String uid() {
            return uid;
        }

        @Override
        public CompletionStage<Void> publish(ClusterMessage message) {
            return link.publish(Mode.SHARDED, channelOf(message), codec.encode(message), RedisLink.deliveryOf(message));
        }

        private String channelOf(ClusterMessage message) {
            // An acknowledged broadcast stays on the namespace channel: the server count it is checked against
            // counts every server, not only those with the room.
            if (mode != SubscriptionMode.STATIC && message instanceof Broadcast broadcast && broadcast.requestId() == null
                    && broadcast.opts().rooms().size() == 1) {
                String room = broadcast.opts().rooms().iterator().next();
                if (hasOwnChannel(room)) {
                    return roomChannel(room);
                }
            }
            return channel;
        }

        private String roomChannel(String room) {
            return channel + room + "#";
        }

        @Override
        public CompletionStage<Void> publishResponse(String requesterUid, ClusterMessage response) {
            return link.publish(Mode.SHARDED, requesterUid == null ? channel : channel + requesterUid + "#",
                    codec.encode(response), Delivery.NOW);
        }

        @Override
        public CompletionStage<Integer> serverCount() {
            return link.subscriberCount(Mode.SHARDED, channel);
        }

        @Override
        public boolean supports(MessageType type) {
            return type != MessageType.ALL_ROOMS && type != MessageType.SOCKET_IDS;
        }

        @Override
        public boolean wantsRoomEvents() {
            return mode != SubscriptionMode.STATIC;
        }

        /**
         * Whether one-room broadcasts to {@code room} go on a channel of its own, which this node then subscribes
         * while the room has a member here: the same rule for sending and for subscribing, as nobody sends on a
         * channel that is not subscribed, and a subscription nobody sends on costs Redis for nothing.
         */
        private boolean hasOwnChannel(String room) {
            return mode == SubscriptionMode.DYNAMIC_PRIVATE || !looksLikeASocketId(room);
        }

        @Override
        public void roomCreated(String room, boolean socketRoom) {
            if (!hasOwnChannel(room)) {
                return;
            }
            synchronized (roomChannels) {
                if (roomChannels.add(room)) {
                    link.ssubscribe(roomChannel(room), this::onMessage);
                }
            }
        }

        @Override
        public void roomDeleted(String room, boolean socketRoom) {
            if (!hasOwnChannel(room)) {
                return;
            }
            synchronized (roomChannels) {
                // One channel serves a socket's own room and a room of the same name that sockets joined: it goes
                // when neither is left. A room emptied on one thread may also have been created again on another.
                boolean stillWanted = receiver.roomExists(room) || (!socketRoom && receiver.isLocalSocket(room));
                if (!stillWanted && roomChannels.remove(room)) {
                    link.sunsubscribe(roomChannel(room));
                }
            }
        }

        private void onMessage(String from, byte[] raw) {
            ClusterMessage message = MalformedMessageException.whileReading(() -> codec.decode(raw));
            if (message != null) {
                receiver.onMessage(message);
            }
        }

        @Override
        public void close() {
            stopLostListener.run();
            List<String> rooms;
            synchronized (roomChannels) {
                rooms = List.copyOf(roomChannels);
                roomChannels.clear();
            }
            rooms.forEach(room -> link.sunsubscribe(roomChannel(room)));
            link.sunsubscribe(channel);
            link.sunsubscribe(responseChannel);
        }
    }
}
