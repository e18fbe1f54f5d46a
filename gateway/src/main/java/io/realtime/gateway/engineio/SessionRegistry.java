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
    private final Map<java.net.InetAddress, java.util.concurrent.atomic.AtomicInteger> perAddress = new ConcurrentHashMap<>();
    private final Map<java.net.InetAddress, io.realtime.gateway.limits.TokenBucket> handshakeRates = new ConcurrentHashMap<>();

    public SessionRegistry(EngineOptions options, TrafficObserver observer) {
        this.options = options;
        this.observer = observer;
    }

    TrafficObserver observer() {
        return observer;
    }

    EngineSession create(EngineIOVersion version, Transport transport, EventLoop loop, boolean base64Only,
                         java.net.InetAddress address) {
        java.util.concurrent.atomic.AtomicInteger fromAddress =
                perAddress.computeIfAbsent(address, key -> new java.util.concurrent.atomic.AtomicInteger());
        fromAddress.incrementAndGet();
        EngineSession session = new EngineSession(UUID.randomUUID(), version, transport, loop, options, base64Only,
                observer, closed -> {
                    sessions.remove(closed.id(), closed);
                    if (fromAddress.decrementAndGet() == 0) {
                        perAddress.remove(address, fromAddress);
                    }
                });
        sessions.put(session.id(), session);
        return session;
    }

    /** Open sessions from one address. */
    int countFrom(java.net.InetAddress address) {
        java.util.concurrent.atomic.AtomicInteger count = perAddress.get(address);
        return count == null ? 0 : count.get();
    }

    /** Takes a handshake from an address's budget ({@code perSecond} sustained, twice that at once). */
    boolean allowHandshake(java.net.InetAddress address, int perSecond) {
        if (handshakeRates.size() > 10_000) {
            handshakeRates.values().removeIf(io.realtime.gateway.limits.TokenBucket::isIdle);
        }
        io.realtime.gateway.limits.TokenBucket bucket = handshakeRates.computeIfAbsent(address,
                key -> new io.realtime.gateway.limits.TokenBucket(perSecond, perSecond * 2.0));
        synchronized (bucket) {
            return bucket.tryTake();
        }
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
