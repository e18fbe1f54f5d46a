package io.realtime.cluster.redis;

import io.realtime.cluster.BroadcastOptions;
import io.realtime.cluster.ClusterPacket;
import io.realtime.cluster.core.ClusterMessage;
import io.realtime.cluster.core.ClusterMessage.Broadcast;
import io.realtime.cluster.core.MalformedMessageException;
import io.realtime.cluster.recovery.InMemorySessionRecovery;
import io.realtime.cluster.recovery.RecoveredSession;
import io.realtime.cluster.recovery.RecoveryOptions;
import io.realtime.cluster.recovery.SessionRecovery;
import io.realtime.cluster.recovery.SessionState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One namespace's recovery over the streams transport, as {@code @socket.io/redis-streams-adapter} 0.3 keeps it:
 * the offset of a packet is the id of its stream entry; a session is {@code sio:session:<pid>} (base64 msgpack
 * {@code {sid, pid, rooms, data}}, {@code PX maxDisconnectionDuration}); a restore takes the session (GETDEL),
 * checks that the offset is still in the stream and replays the broadcasts after it that the session's rooms select.
 *
 * <p>Between the moment a restore starts reading and the moment its socket is attached, the stream reader goes on
 * delivering; each restore in progress collects what the reader delivered meanwhile ({@link Pending}), so the
 * replay is what Redis returned plus what came after it, and everything later reaches the socket live. Choosing
 * recipients and attaching share one lock.
 */
final class StreamSessionRecovery implements SessionRecovery {

    private static final Logger log = LoggerFactory.getLogger(StreamSessionRecovery.class);
    /** Entries one XRANGE returns; a replay reads at most this many times as many (the adapter's 100 calls). */
    private static final int RANGE_COUNT = 1000;
    private static final int MAX_RANGE_CALLS = 100;

    private final RedisLink link;
    private final String stream;
    private final String nsp;
    private final String keyPrefix;
    private final RecoveryOptions options;
    private final StreamsCodec codec;
    private final String dataKey;
    private final java.util.function.BiFunction<ClusterPacket, BroadcastOptions, CompletionStage<String>> append;
    /** Restores between their first read and their attach; guarded by {@code this}. */
    private final Set<Pending> pending = new HashSet<>();

    /** What the reader delivered while one restore was reading the stream. */
    private static final class Pending {
        final List<Replayable> delivered = new ArrayList<>();
    }

    private record Replayable(String offset, ClusterPacket packet, BroadcastOptions opts) {
    }

    StreamSessionRecovery(RedisLink link, String stream, String nsp, String keyPrefix, RecoveryOptions options,
                          StreamsCodec codec, String dataKey,
                          java.util.function.BiFunction<ClusterPacket, BroadcastOptions, CompletionStage<String>> append) {
        this.link = link;
        this.stream = stream;
        this.nsp = nsp;
        this.keyPrefix = keyPrefix;
        this.options = options;
        this.codec = codec;
        this.dataKey = dataKey;
        this.append = append;
    }

    /** Appended to the stream (a socket's own event too: its room is its id); it comes back through the reader. */
    @Override
    public void broadcast(ClusterPacket packet, BroadcastOptions opts, Function<ClusterPacket, Runnable> select) {
        BroadcastOptions shared = opts.local() ? new BroadcastOptions(opts.rooms(), opts.except(), false, opts.volatile_(), opts.timeout()) : opts;
        append.apply(packet, shared).whenComplete((offset, failure) -> {
            if (failure != null) {
                // socket.io sends it anyway, without an offset, when the stream cannot take it.
                select.apply(packet).run();
            }
        });
    }

    @Override
    public void delivered(String offset, ClusterPacket packet, BroadcastOptions opts, Function<ClusterPacket, Runnable> select) {
        Runnable send;
        if (opts.volatile_()) {
            send = select.apply(packet);
        } else {
            List<Object> args = new ArrayList<>(packet.args().size() + 1);
            args.addAll(packet.args());
            args.add(offset);
            ClusterPacket withOffset = new ClusterPacket(packet.event(), args);
            synchronized (this) {
                for (Pending restore : pending) {
                    restore.delivered.add(new Replayable(offset, withOffset, opts));
                }
                send = select.apply(withOffset);
            }
        }
        send.run();
    }

    @Override
    public void persist(SessionState session) {
        link.setPx(keyPrefix + session.pid(), sessionValue(session), options.maxDisconnectionDuration())
                .whenComplete((ok, failure) -> {
                    if (failure != null) {
                        log.warn("session {} could not be kept in Redis: {}", session.sid(), failure.toString());
                    }
                });
    }

    /** The session as the adapter stores it; the socket's other kept keys ride along under a key Node ignores. */
    String sessionValue(SessionState session) {
        return codec.session(session, dataKey);
    }

    @Override
    public CompletionStage<Optional<RecoveredSession>> restore(String pid, String offset, Executor attachOn,
                                                               Consumer<RecoveredSession> attach) {
        if (pid == null || !StreamsCodec.isOffset(offset)) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        Pending restore = new Pending();
        synchronized (this) {
            pending.add(restore);
        }
        CompletableFuture<Optional<RecoveredSession>> result = new CompletableFuture<>();
        // The offset first: a session is taken (GETDEL) only for an offset the stream still holds, so a wrong
        // offset does not spend the session of the client that knows the pid.
        link.xrange(stream, offset, offset, 1)
                .thenCompose(at -> at.isEmpty() ? CompletableFuture.<String>completedFuture(null) : link.getdel(keyPrefix + pid))
                .thenCompose(stored -> {
                    if (stored == null) {
                        return CompletableFuture.completedFuture(null);
                    }
                    SessionState state = codec.sessionOf(stored, dataKey);
                    if (!pid.equals(state.pid())) {
                        return CompletableFuture.completedFuture(null);
                    }
                    List<Replayable> read = new ArrayList<>();
                    return readAfter(offset, read, 0).thenApply(last -> new Read(state, read, last));
                })
                .whenComplete((read, failure) -> {
                    if (failure != null || read == null) {
                        forget(restore);
                        if (failure != null && !(unwrap(failure) instanceof MalformedMessageException)) {
                            log.debug("session {} could not be restored", pid, failure);
                        }
                        result.complete(Optional.empty());
                        return;
                    }
                    try {
                        attachOn.execute(() -> {
                            try {
                                result.complete(Optional.of(attach(restore, read, attach)));
                            } catch (RuntimeException e) {
                                forget(restore);
                                result.completeExceptionally(e);
                            }
                        });
                    } catch (RuntimeException rejected) {
                        // The connection's loop is gone: the session goes back for another attempt.
                        forget(restore);
                        persist(read.state());
                        result.complete(Optional.empty());
                    }
                });
        return result;
    }

    private record Read(SessionState state, List<Replayable> entries, String last) {
    }

    /** Reads the broadcasts after {@code after} into {@code into}; completes with the id of the last entry read. */
    private CompletionStage<String> readAfter(String after, List<Replayable> into, int calls) {
        return link.xrange(stream, StreamsCodec.nextOffset(after), "+", RANGE_COUNT).thenCompose(entries -> {
            String last = after;
            for (Map.Entry<String, Map<String, String>> entry : entries) {
                last = entry.getKey();
                Replayable replayable = replayable(entry.getKey(), entry.getValue());
                if (replayable != null) {
                    into.add(replayable);
                }
            }
            if (entries.size() < RANGE_COUNT || calls + 1 >= MAX_RANGE_CALLS) {
                return CompletableFuture.completedFuture(last);
            }
            return readAfter(last, into, calls + 1);
        });
    }

    /** A broadcast of this namespace without ack and not volatile, with its offset appended; null otherwise. */
    private Replayable replayable(String id, Map<String, String> fields) {
        if (!nsp.equals(fields.get("nsp")) || !"3".equals(fields.get("type"))) {
            return null;
        }
        ClusterMessage message;
        try {
            message = codec.fromEntry(fields);
        } catch (MalformedMessageException e) {
            return null;
        }
        if (!(message instanceof Broadcast broadcast) || broadcast.requestId() != null || broadcast.opts().volatile_()) {
            return null;
        }
        List<Object> args = new ArrayList<>(broadcast.packet().args());
        args.add(id);
        return new Replayable(id, new ClusterPacket(broadcast.packet().event(), args), broadcast.opts());
    }

    /** On the socket's loop: what Redis returned, then what the reader delivered since, selected by the rooms. */
    private RecoveredSession attach(Pending restore, Read read, Consumer<RecoveredSession> attach) {
        synchronized (this) {
            pending.remove(restore);
            List<ClusterPacket> missed = new ArrayList<>();
            List<String> rooms = read.state().rooms();
            for (Replayable entry : read.entries()) {
                if (InMemorySessionRecovery.selects(entry.opts(), rooms)) {
                    missed.add(entry.packet());
                }
            }
            for (Replayable entry : restore.delivered) {
                if (after(entry.offset(), read.last()) && InMemorySessionRecovery.selects(entry.opts(), rooms)) {
                    missed.add(entry.packet());
                }
            }
            RecoveredSession recovered = new RecoveredSession(read.state(), missed);
            attach.accept(recovered);
            return recovered;
        }
    }

    private synchronized void forget(Pending restore) {
        pending.remove(restore);
    }

    /** Whether stream id {@code a} comes after {@code b}. */
    static boolean after(String a, String b) {
        int da = a.indexOf('-');
        int db = b.indexOf('-');
        long ma = Long.parseUnsignedLong(a.substring(0, da));
        long mb = Long.parseUnsignedLong(b.substring(0, db));
        if (ma != mb) {
            return Long.compareUnsigned(ma, mb) > 0;
        }
        return Long.compareUnsigned(Long.parseUnsignedLong(a.substring(da + 1)), Long.parseUnsignedLong(b.substring(db + 1))) > 0;
    }

    private static Throwable unwrap(Throwable failure) {
        return failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }
}
