package io.realtime.cluster.redis;

import io.realtime.cluster.BroadcastOptions;
import io.realtime.cluster.ClusterPacket;
import io.realtime.cluster.core.ClusterMessage;
import io.realtime.cluster.core.ClusterMessage.Broadcast;
import io.realtime.cluster.core.MalformedMessageException;
import io.realtime.cluster.recovery.InMemorySessionRecovery;
import io.realtime.cluster.recovery.RecoveredSession;
import io.realtime.cluster.recovery.RecoveryOptions;
import io.realtime.cluster.recovery.RestoreRefusal;
import io.realtime.cluster.recovery.RestoreResult;
import io.realtime.cluster.recovery.SessionRecovery;
import io.realtime.cluster.recovery.SessionState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
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
 * Unlike the adapter's, a replay is never partial: when the stream no longer holds every entry after the offset
 * (trimmed while the replay read it, or more than the replay may read) the restore is refused, and a session taken by
 * a restore that then fails is written back, so that a later attempt can still have it.
 *
 * <p>Between the moment a restore starts reading and the moment its socket is attached, the stream reader goes on
 * delivering; each restore in progress collects what the reader delivered meanwhile ({@link Pending}), so the
 * replay is what Redis returned plus what came after it, and everything later reaches the socket live. Choosing
 * recipients and attaching share one lock. Once a restore has read its session, it keeps only what the session's rooms
 * select, both from Redis and from the reader: in a reconnect storm under heavy broadcast, thousands of restores in
 * progress would otherwise each hold every entry of the namespace for as long as they take.
 *
 * <p>Beyond the adapter, a session outlives its node: it is written when its socket connects and when its rooms or
 * data change, with the node's liveness channel as {@code owner}, and its expiry is pushed back every
 * {@link #refreshInterval} while the socket is connected; so a SIGKILLed node's sessions stay recoverable for
 * {@code maxDisconnectionDuration} after its last refresh. A restore takes a session whose owner is named only once
 * that owner is gone ({@code PUBSUB NUMSUB} of its channel is 0: Redis dropped its connections) or has rewritten
 * the session without owner (its socket ended): a session is never taken from under a connected socket.
 *
 * <p>A node writes (or deletes) a session only where nothing names another owner ({@link #WRITE_UNLESS_OWNED}): a
 * node cut off from Redis long enough for its sessions to be restored elsewhere must not overwrite them with its
 * stale sockets' state when it comes back. The first write after a restore here is the exception: the session is
 * this node's by then, whatever a stale socket elsewhere wrote since it was taken ({@link #claimed}).
 */
final class StreamSessionRecovery implements SessionRecovery {

    private static final Logger log = LoggerFactory.getLogger(StreamSessionRecovery.class);
    /**
     * Entries one XRANGE returns; a replay reads at most this many times as many (the adapter's 100 calls) and is
     * refused when the stream holds more after the offset.
     */
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
    /** How often a restore looks again at a session whose owner is alive (it may be writing it back just now). */
    private static final long OWNER_WAIT_MILLIS = 200;
    private static final int OWNER_WAIT_ATTEMPTS = 5;

    /** This node's liveness channel, named as the owner of the sessions of its connected sockets. */
    private final String ownerChannel;
    /** How a session this node wrote with its owner reads from its fifth character on (see {@link #WRITE_UNLESS_OWNED}). */
    private final String ownedPrefix;
    /**
     * The pids of this namespace's connected recoverable sockets, whose sessions are refreshed, each with a token of
     * its last {@link #opened}: a write refused because another node owns the session now stops the refresh of that
     * open only, not of a later one (a restore back here). A socket that ended here ({@link #persist},
     * {@link #discarded}) stays, with an {@link Ending} instead, until Redis answered the end's write (or failed it):
     * until then the key may still hold what the socket wrote while connected, owned by this node, and a restore
     * here that took it would have an older session (and the end's write would then leave a second copy, or delete
     * nothing). Read by restores on lettuce's thread and the link's scheduler, written on the sockets' loops and
     * where Redis answers: each change is one operation on the map, so a pid leaves it only once nothing of it is
     * left to write.
     */
    private final Map<String, Object> live = new java.util.concurrent.ConcurrentHashMap<>();

    /** The token of a socket's end whose write Redis has not answered yet: held as a live socket, not refreshed. */
    private static final class Ending {
    }
    /**
     * Pids restored here whose socket has not written its session yet, with when (nanoTime): that first write goes
     * over whatever the key holds. Forgotten after {@link #CLAIM_NANOS} (a restore whose socket never came, as for
     * another user's session).
     */
    private final Map<String, Long> claimed = new java.util.concurrent.ConcurrentHashMap<>();
    private static final long CLAIM_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(10);

    /**
     * Sets KEYS[1] to ARGV[2] (PX ARGV[3]), or deletes it when ARGV[2] is empty, unless it holds a session whose
     * owner is another node than ARGV[1]; answers 1 when it wrote, 0 when not. A session this node wrote starts with
     * ARGV[4] from its fifth character ({@link StreamsCodec#ownedPrefix}): compared as it is, the common case costs
     * Redis about what a plain SET does. Any other is base64 msgpack decoded here, which costs Redis about fifty
     * times more (a few hundred bytes, byte by byte in Lua); one that cannot be read names no one.
     */
    static final String WRITE_UNLESS_OWNED = """
            local current = redis.call('GET', KEYS[1])
            if current and string.sub(current, 5, 4 + #ARGV[4]) ~= ARGV[4] then
              local ok, owner = pcall(function()
                local digits = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
                local value = {}
                for i = 1, 64 do
                  value[string.byte(digits, i)] = i - 1
                end
                local bytes, n = {}, 0
                for i = 1, #current - 3, 4 do
                  local a, b, c, d = string.byte(current, i, i + 3)
                  local x = value[a] * 262144 + value[b] * 4096 + (value[c] or 0) * 64 + (value[d] or 0)
                  n = n + 1
                  bytes[n] = string.char(math.floor(x / 65536) % 256)
                  if c ~= 61 then
                    n = n + 1
                    bytes[n] = string.char(math.floor(x / 256) % 256)
                  end
                  if d ~= 61 then
                    n = n + 1
                    bytes[n] = string.char(x % 256)
                  end
                end
                local session = cmsgpack.unpack(table.concat(bytes))
                return type(session) == 'table' and session.owner or nil
              end)
              if ok and type(owner) == 'string' and owner ~= ARGV[1] then
                return 0
              end
            end
            if ARGV[2] == '' then
              redis.call('DEL', KEYS[1])
            else
              redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
            end
            return 1
            """;
    private final java.util.concurrent.ScheduledFuture<?> refreshing;
    /** How many sessions one step of a refresh pushes back: a quarter of the link's command bound, 1,000 at most. */
    private final int refreshChunk;
    private final java.util.concurrent.atomic.AtomicBoolean refreshRunning = new java.util.concurrent.atomic.AtomicBoolean();
    /**
     * Where this node's reader of the stream started (entries up to it were never delivered here); null while the
     * reader is still connecting, when no restore can attach yet.
     */
    private final java.util.function.Supplier<String> readerStart;
    /**
     * The last entry of this namespace the reader delivered, recipients chosen, or {@link #passed}; guarded by
     * {@code this}.
     */
    private String lastDelivered;
    /** Restores between their first read and their attach; guarded by {@code this}. */
    private final Set<Pending> pending = new HashSet<>();
    /** Restores not ended yet, from their start: {@link #close} ends them. */
    private final Set<Restoring> restorings = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /** What the reader delivered while one restore was reading the stream; guarded by the recovery. */
    private static final class Pending {
        final List<Replayable> delivered = new ArrayList<>();
        /** The session's rooms once it is read; until then everything delivered is kept. */
        List<String> rooms;

        boolean keeps(Replayable entry) {
            return rooms == null || InMemorySessionRecovery.selects(entry.opts(), rooms);
        }

        void select(List<String> sessionRooms) {
            rooms = sessionRooms;
            delivered.removeIf(entry -> !keeps(entry));
        }
    }

    private record Replayable(String offset, ClusterPacket packet, BroadcastOptions opts) {
    }

    StreamSessionRecovery(RedisLink link, String stream, String nsp, String keyPrefix, RecoveryOptions options,
                          StreamsCodec codec, String dataKey,
                          java.util.function.BiFunction<ClusterPacket, BroadcastOptions, CompletionStage<String>> append,
                          String ownerChannel, java.util.function.Supplier<String> readerStart) {
        this.ownerChannel = ownerChannel;
        this.ownedPrefix = codec.ownedPrefix(ownerChannel);
        this.readerStart = readerStart;
        this.link = link;
        this.stream = stream;
        this.nsp = nsp;
        this.keyPrefix = keyPrefix;
        this.options = options;
        this.refreshChunk = Math.max(1, Math.min(1_000, link.commandQueueSize() / 4));
        this.codec = codec;
        this.dataKey = dataKey;
        this.append = append;
        long every = refreshInterval(options.maxDisconnectionDuration()).toMillis();
        this.refreshing = link.scheduler().scheduleAtFixedRate(this::refresh, every, every, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /**
     * Stops pushing back the expiry of live sessions, and ends the restores in progress, refused as {@code
     * UNAVAILABLE} (each session taken written back): their namespace's channel or the transport closed, and what
     * they wait for on the link may never come.
     */
    void close() {
        closed = true;
        refreshing.cancel(false);
        List.copyOf(restorings).forEach(restoring -> restoring.refuse(RestoreRefusal.UNAVAILABLE));
    }

    /** A third of maxDisconnectionDuration, at most 30 s: the expiry of a live session is pushed back that often. */
    static java.time.Duration refreshInterval(java.time.Duration maxDisconnectionDuration) {
        long third = Math.max(1000, maxDisconnectionDuration.toMillis() / 3);
        return java.time.Duration.ofMillis(Math.min(30_000, third));
    }

    private void refresh() {
        long now = System.nanoTime();
        claimed.values().removeIf(at -> now - at > CLAIM_NANOS);
        // A tick whose predecessor still runs (a slow Redis, many sessions) is skipped: the next one comes well
        // within the sessions' expiry.
        if (refreshRunning.compareAndSet(false, true)) {
            List<String> pids = new ArrayList<>(live.size());
            live.forEach((pid, token) -> {
                if (!(token instanceof Ending)) {
                    pids.add(pid);
                }
            });
            refreshFrom(pids, 0);
        }
    }

    /**
     * Pushes back the expiry of {@code pids} from {@code from} on, a chunk at a time, each once the one before has
     * its answers: a node with more live sessions than the link's command bound had the rest refused at every tick
     * (and those sessions expired under their connected sockets), and one burst of them held back the broadcasts.
     */
    private void refreshFrom(List<String> pids, int from) {
        int to = Math.min(pids.size(), from + refreshChunk);
        CompletableFuture<?>[] chunk = new CompletableFuture<?>[to - from];
        for (int i = from; i < to; i++) {
            chunk[i - from] = link.pexpire(keyPrefix + pids.get(i), options.maxDisconnectionDuration())
                    .exceptionally(failure -> false).toCompletableFuture();
        }
        if (to == pids.size()) {
            refreshRunning.set(false);
            return;
        }
        CompletableFuture.allOf(chunk).whenCompleteAsync((done, failure) -> refreshFrom(pids, to), link.scheduler());
    }

    @Override
    public boolean keepsLiveSessions() {
        return true;
    }

    @Override
    public void opened(SessionState session) {
        Object open = new Object();
        live.put(session.pid(), open);
        write(session, () -> codec.session(session, dataKey, ownerChannel), open);
    }

    @Override
    public void discarded(String pid) {
        ended(pid, () -> store(pid, null, "deleted", null));
    }

    /**
     * A socket of {@code pid} ended here: it is no longer refreshed, but it stays held (an {@link Ending} in
     * {@link #live}) until {@code lastWrite}, the end's write, has its answer, success or failure (bounded by the
     * request timeout). A restore here meanwhile waits as for a live socket, and then takes what that write left.
     * A socket of that pid opened again meanwhile replaces the mark, which its end then leaves alone.
     */
    private void ended(String pid, java.util.function.Supplier<CompletionStage<?>> lastWrite) {
        Ending ending = new Ending();
        // Swapped in one step: no moment where a restore finds the pid neither live nor ending.
        live.put(pid, ending);
        CompletionStage<?> written;
        try {
            written = lastWrite.get();
        } catch (RuntimeException | Error e) {
            live.remove(pid, ending);
            throw e;
        }
        written.whenComplete((ok, failure) -> live.remove(pid, ending));
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
            Replayable entry = new Replayable(offset, withOffset, opts);
            synchronized (this) {
                for (Pending restore : pending) {
                    if (restore.keeps(entry)) {
                        restore.delivered.add(entry);
                    }
                }
                send = select.apply(withOffset);
                lastDelivered = offset;
            }
        }
        send.run();
    }

    /**
     * Told by the transport once the reader has handed on {@code id}, an entry of this namespace, however it went
     * (after {@link #delivered}, where it is a no-op), and, when this recovery is made, the last entry of the stream
     * the reader had handed on then. Moving the position to it is safe for every restore: an entry
     * up to it that a pending restore selects and the reader handed on was either handed on before that restore joined
     * {@link #pending}, hence in Redis before its first XRANGE and in its read (which goes on to the stream's end), or
     * handed on after, through {@link #delivered} (a restore exists only once its namespace installed this recovery),
     * hence collected.
     * And what is after the position has not been handed on yet, so it comes live: {@code delivered} moves the
     * position as it chooses recipients, this right after any other hand-on. Without it, an entry handed on without
     * {@code delivered} (before the receiver installed this recovery, say) stayed after the position, counted as
     * coming live though it had gone by: never replayed. (Left open: a restore that starts once the recovery is
     * installed and attaches before the reader ends handing on an entry it took before the install.)
     */
    synchronized void passed(String id) {
        if (lastDelivered == null || after(id, lastDelivered)) {
            lastDelivered = id;
        }
    }

    @Override
    public void persist(SessionState session) {
        ended(session.pid(), () -> write(session, () -> sessionValue(session), null));
    }

    /**
     * Keeps the session in Redis. Its data is the application's: a value the codec cannot write (an object that is
     * not plain data) costs that session its recovery, never the caller (a socket's close) its work.
     *
     * @param open the token of the socket's {@link #opened} that writes it, or null once it is not connected
     * @return completed once Redis answered the write (or it failed)
     */
    private CompletionStage<?> write(SessionState session, java.util.function.Supplier<String> encoded, Object open) {
        String value;
        try {
            value = encoded.get();
        } catch (IllegalArgumentException unencodable) {
            log.warn("session {} cannot be kept in Redis: {}", session.sid(), unencodable.getMessage());
            // The record written before (older rooms and data) goes too: restoring it would not be this session.
            return store(session.pid(), null, "deleted", open);
        }
        return store(session.pid(), value, "kept", open);
    }

    /**
     * Sets the session of {@code pid} to {@code value}, or deletes it when null: unless another node owns it now,
     * except for the first write after a restore here. A write refused so also ends the refresh of the socket's
     * {@code open}: its client went on at the other node (this node looked gone), and pushing back that node's expiry
     * from here would keep the session past the time it set. Learnt at the socket's next write, not at once: checking
     * the owner at every refresh would cost Redis a script decoding the record per socket and interval, where a
     * PEXPIRE is about fifty times cheaper (the stale socket itself ends with its heartbeat).
     */
    private CompletionStage<?> store(String pid, String value, String what, Object open) {
        String key = keyPrefix + pid;
        CompletionStage<Boolean> done;
        if (claimed.remove(pid) != null) {
            done = (value == null ? link.del(key) : link.setPx(key, value, options.maxDisconnectionDuration()))
                    .thenApply(ok -> true);
        } else {
            done = link.eval(WRITE_UNLESS_OWNED, key, ownerChannel, value == null ? "" : value,
                    Long.toString(options.maxDisconnectionDuration().toMillis()), ownedPrefix).thenApply(written -> written == 1);
        }
        return done.whenComplete((written, failure) -> {
            if (failure != null) {
                log.warn("session {} could not be {} in Redis: {}", pid, what, failure.toString());
            } else if (!written) {
                log.debug("session {} not {}: another node owns it now", pid, what);
                if (open != null) {
                    live.remove(pid, open);
                }
            }
        });
    }

    /** The session as the adapter stores it; the socket's other kept keys ride along under a key Node ignores. */
    String sessionValue(SessionState session) {
        return codec.session(session, dataKey);
    }

    @Override
    public CompletionStage<RestoreResult> restore(String pid, String offset, Executor attachOn,
                                                  Consumer<RecoveredSession> attach) {
        if (!StreamsCodec.isOffset(offset)) {
            return CompletableFuture.completedFuture(RestoreResult.refused(RestoreRefusal.MALFORMED_OFFSET));
        }
        if (pid == null) {
            return CompletableFuture.completedFuture(RestoreResult.refused(RestoreRefusal.UNKNOWN_SESSION));
        }
        Restoring restoring = new Restoring(pid);
        restorings.add(restoring);
        if (closed) {
            // Closed meanwhile: close() may have missed it.
            restoring.refuse(RestoreRefusal.UNAVAILABLE);
            return restoring.result;
        }
        Pending restore = restoring.pending;
        // The offset first: a session is taken (GETDEL) only for an offset the stream still holds, so a wrong
        // offset does not spend the session of the client that knows the pid.
        link.xrange(stream, offset, offset, 1)
                .thenCompose(at -> {
                    if (at.isEmpty()) {
                        throw new Refused(RestoreRefusal.OFFSET_GONE);
                    }
                    return takeOnceOwnerIsGone(pid, 0);
                })
                .thenCompose(stored -> {
                    SessionState state = codec.sessionOf(stored, dataKey);
                    if (!pid.equals(state.pid())) {
                        throw new Refused(RestoreRefusal.UNKNOWN_SESSION);
                    }
                    restoring.taken.set(stored);
                    // What the reader delivers from now on is collected, selected by the session's rooms; what it
                    // delivered before is in the stream, which is read next. Not earlier: a restore that waits for a
                    // live owner, or is refused, would hold entries (or cost the reader a look) for nothing.
                    synchronized (this) {
                        if (restoring.ended.get()) {
                            // Ended by close() while the session was being taken: it goes back now. (Under the lock:
                            // a close after this look forgets what is added below.)
                            restoring.giveBackTaken();
                            throw new Refused(RestoreRefusal.UNAVAILABLE);
                        }
                        restore.select(state.rooms());
                        pending.add(restore);
                    }
                    List<Replayable> read = new ArrayList<>();
                    // From the offset itself, which the first batch must still hold: a wait for a live owner may
                    // have let MAXLEN trim past it.
                    return readFrom(offset, state.rooms(), read, 0).thenApply(last -> new Read(state, read, last, stored));
                })
                .whenComplete((read, failure) -> {
                    if (failure != null) {
                        Throwable cause = unwrap(failure);
                        if (cause instanceof Refused refused) {
                            restoring.refuse(refused.reason);
                        } else if (cause instanceof MalformedMessageException) {
                            // A stored session we cannot read is as good as none.
                            restoring.refuse(RestoreRefusal.UNKNOWN_SESSION);
                        } else {
                            log.debug("session {} could not be restored", pid, failure);
                            restoring.refuse(RestoreRefusal.UNAVAILABLE);
                        }
                        return;
                    }
                    attachWhenCaughtUp(restoring, read, offset, attachOn, attach, 0);
                });
        return restoring.result;
    }

    /**
     * One restore in progress, ended once: by its own chain, or by {@link #close} (the namespace's channel or the
     * transport closing, after which the link's scheduler and work queue may drop what the chain waits for, and its
     * caller, a handshake, would wait for ever). A restore refused gives back the session it took, once.
     */
    private final class Restoring {
        final String pid;
        final Pending pending = new Pending();
        final CompletableFuture<RestoreResult> result = new CompletableFuture<>();
        /** The session as stored once this restore has taken it: written back if the restore fails after that. */
        final java.util.concurrent.atomic.AtomicReference<String> taken = new java.util.concurrent.atomic.AtomicReference<>();
        final java.util.concurrent.atomic.AtomicBoolean ended = new java.util.concurrent.atomic.AtomicBoolean();

        Restoring(String pid) {
            this.pid = pid;
        }

        /** Whether this caller ends the restore (only the first does). */
        boolean end() {
            if (!ended.compareAndSet(false, true)) {
                return false;
            }
            restorings.remove(this);
            forget(pending);
            return true;
        }

        void refuse(RestoreRefusal reason) {
            if (end()) {
                giveBackTaken();
                result.complete(RestoreResult.refused(reason));
            }
        }

        void giveBackTaken() {
            String stored = taken.getAndSet(null);
            if (stored != null) {
                giveBack(pid, stored);
            }
        }
    }

    /** Ends a restore's chain with the reason it found nothing to restore; an answer, so without a stack trace. */
    private static final class Refused extends RuntimeException {
        final RestoreRefusal reason;

        Refused(RestoreRefusal reason) {
            super(reason.name(), null, false, false);
            this.reason = reason;
        }
    }

    /** How long a restore waits for this node's reader to reach the client's offset (it may lag behind another node's). */
    private static final int CATCH_UP_ATTEMPTS = 200;
    private static final long CATCH_UP_MILLIS = 10;

    /**
     * Attaches on the socket's loop once this node's reader has delivered the client's offset: before that, entries
     * the client already has would still come live.
     */
    private void attachWhenCaughtUp(Restoring restoring, Read read, String offset, Executor attachOn,
                                    Consumer<RecoveredSession> attach, int attempt) {
        boolean behind;
        synchronized (this) {
            String position = readerPosition();
            behind = position == null || after(offset, position);
        }
        if (behind && attempt < CATCH_UP_ATTEMPTS) {
            try {
                link.scheduler().schedule(() -> attachWhenCaughtUp(restoring, read, offset, attachOn, attach, attempt + 1),
                        CATCH_UP_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                restoring.refuse(RestoreRefusal.UNAVAILABLE);
            }
            return;
        }
        if (behind) {
            // Attached now, the entries up to the offset would reach the client live a second time.
            log.warn("the stream reader is 2 s behind offset {}: session {} is put back, not restored", offset, read.state().sid());
            restoring.refuse(RestoreRefusal.UNAVAILABLE);
            return;
        }
        try {
            attachOn.execute(() -> {
                if (restoring.ended.get()) {
                    return;
                }
                try {
                    RecoveredSession recovered = attach(restoring, read, attach);
                    if (recovered != null) {
                        restoring.result.complete(RestoreResult.recovered(recovered));
                    }
                } catch (RuntimeException e) {
                    // Not written back: the attach may have got far enough to have a socket hold the session.
                    forget(restoring.pending);
                    restoring.result.completeExceptionally(e);
                }
            });
        } catch (RuntimeException rejected) {
            // The connection's loop is gone: the session goes back for another attempt.
            restoring.refuse(RestoreRefusal.UNAVAILABLE);
        }
    }

    /**
     * GETDEL of the session once no live socket holds it: its owner (if it names one) is gone, or is this node and
     * the socket is no longer connected here and its end's write has its answer (an {@link Ending} holds it as a
     * live socket does: the record read may be older than that write, which must not come after the take). Refused
     * when there is none (or another restore took it first) or its owner keeps it.
     */
    private CompletionStage<String> takeOnceOwnerIsGone(String pid, int attempt) {
        String key = keyPrefix + pid;
        return link.get(key).thenCompose(stored -> {
            if (stored == null) {
                throw new Refused(RestoreRefusal.UNKNOWN_SESSION);
            }
            String owner = codec.ownerOf(stored);
            if (owner == null) {
                return take(key);
            }
            CompletionStage<Boolean> alive = owner.equals(ownerChannel)
                    ? CompletableFuture.completedFuture(live.containsKey(pid))
                    : link.subscribers(owner).thenApply(count -> count > 0);
            return alive.thenCompose(held -> {
                if (!held) {
                    return take(key);
                }
                if (attempt + 1 >= OWNER_WAIT_ATTEMPTS) {
                    throw new Refused(RestoreRefusal.STILL_CONNECTED);
                }
                // Its owner may be ending the socket now (the client reconnected before the old transport's
                // close reached it): look again shortly.
                CompletableFuture<String> later = new CompletableFuture<>();
                link.scheduler().schedule(() -> takeOnceOwnerIsGone(pid, attempt + 1).whenComplete((value, failure) -> {
                    if (failure != null) {
                        later.completeExceptionally(failure);
                    } else {
                        later.complete(value);
                    }
                }), OWNER_WAIT_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
                return later;
            });
        });
    }

    /**
     * Writes back, as it was, a session a restore took and then could not restore, so that another attempt still can;
     * only where nothing took its place meanwhile (SET NX). Its expiry starts again: GETDEL did not return it.
     */
    private void giveBack(String pid, String stored) {
        if (stored == null) {
            return;
        }
        link.setPxIfAbsent(keyPrefix + pid, stored, options.maxDisconnectionDuration()).whenComplete((ok, failure) -> {
            if (failure != null) {
                log.warn("session {} could not be written back to Redis: {}", pid, failure.toString());
            }
        });
    }

    /** GETDEL: the session, unless another restore took it between the look and the take. */
    private CompletionStage<String> take(String key) {
        return link.getdel(key).thenApply(stored -> {
            if (stored == null) {
                throw new Refused(RestoreRefusal.UNKNOWN_SESSION);
            }
            return stored;
        });
    }

    /** A replay read, with the session as it was stored (written back if the restore fails now). */
    private record Read(SessionState state, List<Replayable> entries, String last, String stored) {
    }

    /**
     * Reads the broadcasts after {@code from} that select a session in {@code rooms} into {@code into}; completes with
     * the id of the last entry read. Each batch starts at the entry that ended the previous one (the first at the
     * client's offset) and must return it first: between two batches, while the decode waits its turn, MAXLEN may
     * trim past it, and a batch starting further on would leave out entries that are neither replayed nor delivered
     * live. Such a replay is refused, as one that would need more than {@link #MAX_RANGE_CALLS} batches.
     * Each batch is decoded on the link's executor, as this node's own work ({@code ClusterWork.executeOwn}, never
     * refused: the session is taken by now): up to {@link #RANGE_COUNT} entries of msgpack, which on the I/O thread
     * that read them would hold up every broadcast this node receives.
     */
    private CompletionStage<String> readFrom(String from, List<String> rooms, List<Replayable> into, int calls) {
        return link.xrange(stream, from, "+", RANGE_COUNT).thenApplyAsync(entries -> {
            if (entries.isEmpty() || !same(entries.get(0).getKey(), from)) {
                throw new Refused(RestoreRefusal.OFFSET_GONE);
            }
            String last = from;
            // The first the client has already, or the previous batch read.
            for (Map.Entry<String, Map<String, String>> entry : entries.subList(1, entries.size())) {
                last = entry.getKey();
                Replayable replayable = replayable(entry.getKey(), entry.getValue());
                if (replayable != null && InMemorySessionRecovery.selects(replayable.opts(), rooms)) {
                    into.add(replayable);
                }
            }
            return new Batch(last, entries.size());
        }, link.work()::executeOwn).thenCompose(batch -> {
            if (batch.size() < RANGE_COUNT) {
                return CompletableFuture.completedFuture(batch.last());
            }
            if (calls + 1 >= MAX_RANGE_CALLS) {
                throw new Refused(RestoreRefusal.OFFSET_GONE);
            }
            return readFrom(batch.last(), rooms, into, calls + 1);
        });
    }

    /** One XRANGE's worth of a replay: the last id read and how many entries came. */
    private record Batch(String last, int size) {
    }

    /** A broadcast of this namespace without ack and not volatile, with its offset appended; null otherwise. */
    private Replayable replayable(String id, Map<String, String> fields) {
        if (!nsp.equals(fields.get("nsp")) || !"3".equals(fields.get("type"))) {
            return null;
        }
        ClusterMessage message;
        try {
            message = MalformedMessageException.whileReading(() -> codec.fromEntry(fields));
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

    /**
     * How far this node's reader has gone for this namespace: the later of where it started and the last entry it
     * delivered or {@link #passed}; null while it is connecting. Under the lock.
     */
    private String readerPosition() {
        String start = readerStart.get();
        if (start == null) {
            return null;
        }
        return lastDelivered != null && after(lastDelivered, start) ? lastDelivered : start;
    }

    /**
     * On the socket's loop: every entry after the client's offset up to the reader's position (read from Redis, or
     * collected while reading), selected by the rooms; what comes after that position the reader delivers live to
     * the socket attached now. The reader may be behind what Redis returned or ahead of it: either way each entry is
     * replayed or delivered live, once.
     */
    private RecoveredSession attach(Restoring restoring, Read read, Consumer<RecoveredSession> attach) {
        Pending restore = restoring.pending;
        synchronized (this) {
            if (!restoring.end()) {
                // Ended by close() first, which gave the session back.
                return null;
            }
            // Known: a restore attaches only once the reader has reached its offset.
            String position = readerPosition();
            // Both lists hold only what the session's rooms select.
            List<ClusterPacket> missed = new ArrayList<>();
            for (Replayable entry : read.entries()) {
                if (!after(entry.offset(), position)) {
                    missed.add(entry.packet());
                }
            }
            for (Replayable entry : restore.delivered) {
                if (after(entry.offset(), read.last()) && !after(entry.offset(), position)) {
                    missed.add(entry.packet());
                }
            }
            RecoveredSession recovered = new RecoveredSession(read.state(), missed);
            // The socket writes its session later, from its loop: over whatever a stale socket elsewhere wrote.
            claimed.put(read.state().pid(), System.nanoTime());
            attach.accept(recovered);
            return recovered;
        }
    }

    private synchronized void forget(Pending restore) {
        pending.remove(restore);
    }

    /** How many delivered entries the restores in progress hold, all together. */
    synchronized int heldByRestores() {
        return pending.stream().mapToInt(restore -> restore.delivered.size()).sum();
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

    /** Whether two stream ids are the same entry (a client's offset need not be written as Redis writes ids). */
    private static boolean same(String a, String b) {
        return !after(a, b) && !after(b, a);
    }

    private static Throwable unwrap(Throwable failure) {
        return failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }
}
