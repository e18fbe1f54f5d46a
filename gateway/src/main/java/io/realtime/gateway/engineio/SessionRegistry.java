package io.realtime.gateway.engineio;

import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.protocol.EngineIOVersion;
import io.netty.channel.EventLoop;
import io.realtime.gateway.stats.TrafficObserver;

import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/** The open Engine.IO sessions of one server, by id. */
public final class SessionRegistry {

    private final Map<UUID, EngineSession> sessions = new ConcurrentHashMap<>();
    private final EngineOptions options;
    private final TrafficObserver observer;
    private volatile boolean accepting = true;

    public SessionRegistry(EngineOptions options, TrafficObserver observer) {
        this.options = options;
        this.observer = observer;
    }

    TrafficObserver observer() {
        return observer;
    }

    EngineSession create(EngineIOVersion version, Transport transport, EventLoop loop, boolean base64Only) {
        EngineSession session = new EngineSession(UUID.randomUUID(), version, transport, loop, options, base64Only,
                observer, closed -> sessions.remove(closed.id(), closed));
        sessions.put(session.id(), session);
        return session;
    }

    /** From now on new sessions are refused (the node drains). */
    public void stopAccepting() {
        accepting = false;
    }

    public boolean isAccepting() {
        return accepting;
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
