package io.realtime.gateway.engineio;

import com.corundumstudio.socketio.protocol.EngineIOVersion;
import io.netty.channel.EventLoop;
import io.realtime.gateway.limits.OutboundLimit;
import io.realtime.gateway.stats.TrafficObserver;

import java.net.InetAddress;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** The open Engine.IO sessions of one server, by id. */
public final class SessionRegistry {

    /** Told of each session opened and closed (admission counts them), on the session's loop. */
    public interface Listener {
        void opened(EngineSession session);

        void closed(EngineSession session);
    }

    private final Map<UUID, EngineSession> sessions = new ConcurrentHashMap<>();
    private final Map<EventLoop, Heartbeat.Queues> heartbeats = new ConcurrentHashMap<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final EngineOptions options;
    private final OutboundLimit outboundLimit;
    private final TrafficObserver observer;

    public SessionRegistry(EngineOptions options, TrafficObserver observer) {
        this.options = options;
        this.outboundLimit = OutboundLimit.of(options.outboundLimit());
        this.observer = observer;
    }

    public void addListener(Listener listener) {
        listeners.add(listener);
    }

    TrafficObserver observer() {
        return observer;
    }

    EngineOptions options() {
        return options;
    }

    /** Where the heartbeats of {@code loop}'s sessions wait. */
    Heartbeat.Queues heartbeats(EventLoop loop) {
        return heartbeats.computeIfAbsent(loop, l -> new Heartbeat.Queues(l, options));
    }

    OutboundLimit outboundLimit() {
        return outboundLimit;
    }

    /** A new session, to be opened on its first transport by the caller, on {@code loop}, before anything else. */
    EngineSession create(EngineIOVersion version, EventLoop loop, InetAddress address) {
        EngineSession session = new EngineSession(UUID.randomUUID(), version, loop, address, this);
        sessions.put(session.id(), session);
        listeners.forEach(listener -> listener.opened(session));
        return session;
    }

    void remove(EngineSession session) {
        if (sessions.remove(session.id(), session)) {
            listeners.forEach(listener -> listener.closed(session));
        }
    }

    public EngineSession get(String id) {
        try {
            return id == null ? null : sessions.get(UUID.fromString(id));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    public Collection<EngineSession> all() {
        return Collections.unmodifiableCollection(sessions.values());
    }

    public int size() {
        return sessions.size();
    }
}
