package io.realtime.cluster.redis;

import io.realtime.cluster.RedisAdapterOptions;
import io.realtime.cluster.core.ClusterMessage;
import io.realtime.cluster.core.MalformedMessageException;
import io.realtime.cluster.core.MessageReceiver;
import io.realtime.cluster.core.MessageType;
import io.realtime.cluster.core.NamespaceChannel;
import io.realtime.cluster.recovery.RecoveryOptions;
import io.realtime.cluster.recovery.SessionRecovery;
import io.realtime.cluster.redis.RedisLink.Delivery;
import io.realtime.cluster.redis.RedisLink.Mode;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code @socket.io/redis-streams-adapter} 0.3: broadcasts (without acks), socketsJoin/Leave and disconnectSockets
 * are entries of the stream {@code socket.io} ({@code XADD ... MAXLEN ~ n *}), read by every node with blocking
 * {@code XREAD} on a connection and a thread of their own ({@link StreamReader}); requests, acknowledged broadcasts and
 * responses go over pub/sub on {@code key#nsp#} and {@code key#nsp#uid#}; the server count is {@code PUBSUB NUMSUB}
 * of {@code key#nsp#}. With {@code streamCount} above 1 a namespace's stream is chosen by the adapter's hash.
 *
 * <p>Every broadcast, this node's own included, reaches the local sockets when the reader returns its entry, so each
 * socket sees the namespace's broadcasts in stream order and each entry's id is the offset it carries. An entry that
 * Redis cannot take now (an outage) is held by the link and appended when Redis is back, for the other nodes: this
 * node's sockets get it at once, without an offset, and it is not given to them again when it is read back.
 */
public final class StreamsTransport extends RedisTransport {

    /**
     * How long an entry whose append failed is looked out for, and how many at most: enough for any Redis answer,
     * beyond what the outage buffer holds and for how long.
     */
    private static final Duration FAILED_APPEND_HORIZON = Duration.ofMinutes(5);
    private static final int FAILED_APPENDS_KEPT = 10_000;

    private final Map<String, StreamReader> readers = new ConcurrentHashMap<>();
    /** Each stream's {@link Dispatch}, made with its reader and kept for the transport's life. */
    private final Map<String, Dispatch> dispatches = new ConcurrentHashMap<>();
    private final Map<String, Channel> channels = new ConcurrentHashMap<>();
    /** Why a reader stopped for good: the first one, which the others (if any) most likely followed. */
    private final AtomicReference<String> failure = new AtomicReference<>();

    /**
     * Subscribed for as long as this node lives: the owner named in the sessions of its connected sockets, whose
     * {@code PUBSUB NUMSUB} drops to 0 the moment Redis loses this node's connection (SIGKILL included).
     */
    private final String nodeChannel;

    StreamsTransport(RedisLink link, RedisAdapterOptions options) {
        super(link, options);
        this.nodeChannel = options.key() + "#node#" + randomHex(8) + "#";
        link.subscribe(List.of(nodeChannel), (channel, message) -> { });
    }

    /** The stream of a namespace: the adapter's {@code computeStreamName} (Java's int hash and {@code %} are JS's). */
    static String streamOf(String namespace, String streamName, int streamCount) {
        if (streamCount == 1) {
            return streamName;
        }
        int hash = 0;
        for (int i = 0; i < namespace.length(); i++) {
            hash = hash * 31 + namespace.charAt(i);
        }
        return streamName + "-" + (hash % streamCount);
    }

    @Override
    public NamespaceChannel open(String namespace, MessageReceiver receiver) {
        Channel channel = new Channel(namespace, receiver);
        channels.put(namespace, channel);
        Dispatch dispatch = dispatches.computeIfAbsent(channel.stream, stream -> new Dispatch());
        readers.computeIfAbsent(channel.stream, stream -> StreamReader.start(link, stream, options,
                (id, fields) -> onEntry(dispatch, id, fields), reason -> failure.compareAndSet(null, reason)));
        return channel;
    }

    /**
     * What one stream's reader has handed on. No lock: a namespace's recovery may be made on a Netty event loop (its
     * first socket), which must not wait for the reader's fan-out. Instead each side writes, then reads what the other
     * writes: the reader sets {@link #through} after an entry, then looks for the recovery of the entry's namespace;
     * {@link Channel#recovery} publishes the recovery, then reads {@link #through}. One of them sees the other, so every
     * entry handed on without the recovery's {@code delivered} (before it existed, before its namespace had a channel
     * or its receiver installed it, skipped as this node's own) reaches it through {@link StreamSessionRecovery#passed}
     * (raising the same position twice is harmless).
     */
    private static final class Dispatch {
        /** The last entry handed on, to a receiver or to none. */
        volatile String through;
    }

    private void onEntry(Dispatch dispatch, String id, Map<String, String> fields) {
        String nsp = fields.get("nsp");
        try {
            dispatch(nsp, id, fields);
        } finally {
            dispatch.through = id;
            // A restore's position must not stay before an entry that will never come live.
            Channel channel = nsp == null ? null : channels.get(nsp);
            StreamSessionRecovery recovery = channel == null ? null : channel.sessionRecovery;
            if (recovery != null) {
                recovery.passed(id);
            }
        }
    }

    private void dispatch(String nsp, String id, Map<String, String> fields) {
        Channel channel = nsp == null ? null : channels.get(nsp);
        if (channel == null) {
            return;
        }
        ClusterMessage message;
        try {
            message = MalformedMessageException.whileReading(() -> channel.codec.fromEntry(fields));
        } catch (MalformedMessageException e) {
            link.malformed().report(channel.stream, e.kind(), e.getMessage());
            return;
        }
        if (message != null && !channel.deliveredAlready(message, fields.get(StreamsCodec.SEQ))) {
            channel.receiver.onMessage(message, id);
        }
    }

    /** Each reader's connection opened and its position read, or the first reason it could not be. */
    @Override
    public void awaitOpened() {
        readers.values().forEach(reader -> reader.awaitStarted(options.requestTimeout().multipliedBy(2).plusSeconds(10)));
    }

    /** A reader that stopped never comes back: what its stream carries no longer reaches this node. */
    @Override
    public Optional<String> failure() {
        return Optional.ofNullable(failure.get());
    }

    @Override
    public void close() {
        // First, while the link still works: the restores in progress end, and the sessions they took go back.
        channels.values().forEach(channel -> {
            StreamSessionRecovery recovery = channel.sessionRecovery;
            if (recovery != null) {
                recovery.close();
            }
        });
        // All told first: their blocking reads end together, so closing waits for one read rather than one each.
        readers.values().forEach(StreamReader::stop);
        readers.values().forEach(StreamReader::close);
        readers.clear();
        super.close();
    }

    private final class Channel implements NamespaceChannel {

        private final String uid = randomHex(8);
        private final AtomicLong appended = new AtomicLong();
        /** Own entries whose append failed and which this node gave its sockets then. */
        private final FailedAppends failedAppends = new FailedAppends(FAILED_APPENDS_KEPT + options.outageBufferSize(),
                FAILED_APPEND_HORIZON.plus(options.outageBufferAge()));
        private final String namespace;
        private final String stream;
        private final StreamsCodec codec;
        private final ShardedCodec published;
        private final MessageReceiver receiver;
        private final String publicChannel;
        private final String privateChannel;

        private final Runnable stopLostListener;
        /** The namespace's recovery, whose session refresh stops with the channel. */
        private volatile StreamSessionRecovery sessionRecovery;

        Channel(String namespace, MessageReceiver receiver) {
            this.namespace = namespace;
            this.stream = streamOf(namespace, options.streamName(), options.streamCount());
            this.codec = new StreamsCodec(namespace);
            this.published = new ShardedCodec(namespace);
            this.receiver = receiver;
            this.publicChannel = options.key() + "#" + namespace + "#";
            this.privateChannel = publicChannel + uid + "#";
            link.subscribe(List.of(publicChannel, privateChannel), this::onPublished);
            this.stopLostListener = link.onConnectionLost(receiver::onConnectionLost);
        }

        @Override
        public String uid() {
            return uid;
        }

        @Override
        public CompletionStage<Void> publish(ClusterMessage message) {
            if (StreamsCodec.isEphemeral(message)) {
                // As on the other transports: an event without an answer is held while Redis is away, a request is not.
                return link.publish(Mode.PLAIN, publicChannel, codec.published(message), RedisLink.deliveryOf(message));
            }
            return append(message).thenApply(id -> null);
        }

        @Override
        public CompletionStage<String> append(ClusterMessage message) {
            String seq = Long.toString(appended.incrementAndGet());
            return link.xadd(stream, options.streamMaxLen(), codec.entry(message, seq), () -> failedAppends.remember(seq)).handle((id, failure) -> {
                if (failure != null) {
                    failedAppends.remember(seq);
                    throw failure instanceof CompletionException wrapped ? wrapped : new CompletionException(failure);
                }
                StreamReader reader = readers.get(stream);
                if (reader != null) {
                    reader.appended(id);
                }
                return id;
            });
        }

        /** Whether an entry read back is one of this node's own whose append failed: its sockets have it. */
        boolean deliveredAlready(ClusterMessage message, String seq) {
            return seq != null && uid.equals(message.uid()) && failedAppends.failed(seq);
        }

        /** socket.io-adapter's ClusterAdapter, as the sharded protocol: no allRooms or socket-ids requests. */
        @Override
        public boolean supports(MessageType type) {
            return type != MessageType.ALL_ROOMS && type != MessageType.SOCKET_IDS;
        }

        @Override
        public boolean ordersBroadcasts() {
            return true;
        }

        @Override
        public CompletionStage<Void> publishResponse(String requesterUid, ClusterMessage response) {
            return link.publish(Mode.PLAIN, requesterUid == null ? publicChannel : publicChannel + requesterUid + "#",
                    codec.published(response), Delivery.NOW);
        }

        @Override
        public CompletionStage<Integer> serverCount() {
            return link.subscriberCount(Mode.PLAIN, publicChannel);
        }

        @Override
        public SessionRecovery recovery(RecoveryOptions recovery, String dataKey) {
            StreamSessionRecovery made = new StreamSessionRecovery(link, stream, namespace, options.sessionKeyPrefix(), recovery,
                    codec, dataKey, (packet, opts) -> append(new ClusterMessage.Broadcast(uid, packet, opts, null)), nodeChannel,
                    readers.get(stream)::startedAfter);
            sessionRecovery = made;
            // Published first, then where the reader is: see Dispatch.
            String through = dispatches.get(stream).through;
            if (through != null) {
                made.passed(through);
            }
            return made;
        }

        private void onPublished(String from, byte[] raw) {
            ClusterMessage message = MalformedMessageException.whileReading(() -> published.decode(raw));
            if (message != null) {
                receiver.onMessage(message);
            }
        }

        @Override
        public void close() {
            stopLostListener.run();
            StreamSessionRecovery kept = sessionRecovery;
            if (kept != null) {
                kept.close();
            }
            channels.remove(namespace, this);
            link.unsubscribe(List.of(), List.of(publicChannel, privateChannel));
        }
    }
}
