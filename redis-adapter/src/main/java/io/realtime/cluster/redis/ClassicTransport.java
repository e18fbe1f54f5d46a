package io.realtime.cluster.redis;

import io.realtime.cluster.RedisAdapterOptions;
import io.realtime.cluster.core.ClusterMessage;
import io.realtime.cluster.core.ClusterMessage.Broadcast;
import io.realtime.cluster.core.MalformedMessageException;
import io.realtime.cluster.core.MessageReceiver;
import io.realtime.cluster.core.NamespaceChannel;
import io.realtime.cluster.redis.RedisLink.Delivery;
import io.realtime.cluster.redis.RedisLink.Mode;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Node's classic {@code @socket.io/redis-adapter} ({@code createAdapter}) on {@code PUBLISH}/{@code PSUBSCRIBE}:
 * broadcasts on {@code key#nsp#} (or {@code key#nsp#room#} for one room) received by every node through a pattern,
 * requests on {@code key-request#nsp#}, responses on {@code key-response#nsp#}; the server count is the request
 * channel's {@code PUBSUB NUMSUB}. {@code @socket.io/redis-emitter} publishes the same way.
 */
final class ClassicTransport extends RedisTransport {

    ClassicTransport(RedisLink link, RedisAdapterOptions options) {
        super(link, options);
    }

    @Override
    public NamespaceChannel open(String namespace, MessageReceiver receiver) {
        return new Channel(namespace, receiver);
    }

    private final class Channel implements NamespaceChannel {

        private final String uid = randomAlphanumeric(6);
        private final ClassicCodec codec;
        private final MessageReceiver receiver;
        private final String broadcastChannel;
        private final String requestChannel;
        private final String responseChannel;
        private final String specificResponseChannel;

        private final Runnable stopLostListener;

        Channel(String namespace, MessageReceiver receiver) {
            this.codec = new ClassicCodec(namespace);
            this.receiver = receiver;
            this.broadcastChannel = options.key() + "#" + namespace + "#";
            this.requestChannel = options.key() + "-request#" + namespace + "#";
            this.responseChannel = options.key() + "-response#" + namespace + "#";
            this.specificResponseChannel = responseChannel + uid + "#";
            link.psubscribe(broadcastChannel + "*", this::onBroadcast);
            link.subscribe(List.of(requestChannel, responseChannel, specificResponseChannel), this::onRequestOrResponse);
            this.stopLostListener = link.onConnectionLost(receiver::onConnectionLost);
        }

        @Override
        public String uid() {
            return uid;
        }

        @Override
        public CompletionStage<Void> publish(ClusterMessage message) {
            if (message instanceof Broadcast broadcast && broadcast.requestId() == null) {
                String channel = broadcast.opts().rooms().size() == 1
                        ? broadcastChannel + broadcast.opts().rooms().iterator().next() + "#" : broadcastChannel;
                return link.publish(Mode.PLAIN, channel, codec.broadcast(broadcast), Delivery.HELD);
            }
            return link.publish(Mode.PLAIN, requestChannel, codec.request(message), RedisLink.deliveryOf(message));
        }

        @Override
        public CompletionStage<Void> publishResponse(String requesterUid, ClusterMessage response) {
            String channel = options.publishOnSpecificResponseChannel() && requesterUid != null
                    ? responseChannel + requesterUid + "#" : responseChannel;
            return link.publish(Mode.PLAIN, channel, codec.response(response), Delivery.NOW);
        }

        @Override
        public CompletionStage<Integer> serverCount() {
            return link.subscriberCount(Mode.PLAIN, requestChannel);
        }

        private void onBroadcast(String channel, byte[] message) {
            if (channel.length() > broadcastChannel.length()) {
                // A one-room broadcast: not decoded at all when no socket here is in the room.
                String room = channel.substring(broadcastChannel.length(), channel.length() - 1);
                if (!receiver.hasRoom(room)) {
                    return;
                }
            }
            deliver(MalformedMessageException.whileReading(() -> codec.decodeBroadcast(message)));
        }

        private void onRequestOrResponse(String channel, byte[] message) {
            if (channel.equals(requestChannel)) {
                deliver(MalformedMessageException.whileReading(() -> codec.decodeRequest(message)));
            } else {
                deliver(MalformedMessageException.whileReading(() -> codec.decodeResponse(message)));
            }
        }

        private void deliver(ClusterMessage message) {
            if (message != null) {
                receiver.onMessage(message);
            }
        }

        @Override
        public void close() {
            stopLostListener.run();
            link.unsubscribe(List.of(broadcastChannel + "*"), List.of(requestChannel, responseChannel, specificResponseChannel));
        }
    }
}
