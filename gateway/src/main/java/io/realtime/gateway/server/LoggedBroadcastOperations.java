package io.realtime.gateway.server;

import com.corundumstudio.socketio.BroadcastAckCallback;
import com.corundumstudio.socketio.BroadcastOperations;
import com.corundumstudio.socketio.SocketIOClient;
import com.corundumstudio.socketio.protocol.Packet;
import com.corundumstudio.socketio.protocol.PacketType;
import io.realtime.cluster.ClusterNamespace;
import io.realtime.cluster.SocketIds;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A room's (or a namespace's) netty-socketio operations with connection state recovery on: an event without an ack
 * goes through the namespace's adapter ({@code target}, narrowed to the room), as one broadcast with one offset and
 * one entry of the recovery log; the rest (events with acks, disconnect, the clients) is netty-socketio's own
 * ({@code own}), unchanged, on this node's sockets.
 */
final class LoggedBroadcastOperations implements BroadcastOperations {

    private final BroadcastOperations own;
    private final ClusterNamespace target;

    LoggedBroadcastOperations(BroadcastOperations own, ClusterNamespace target) {
        this.own = own;
        this.target = target;
    }

    @Override
    public Collection<SocketIOClient> getClients() {
        return own.getClients();
    }

    @Override
    public void send(Packet packet) {
        if (packet.getType() == PacketType.MESSAGE && packet.getSubType() == PacketType.EVENT && packet.getAckId() == null
                && packet.getName() != null && !packet.getName().isEmpty()) {
            Object data = packet.getData();
            target.emit(packet.getName(), data instanceof List<?> args ? args.toArray() : new Object[0]);
        } else {
            own.send(packet);
        }
    }

    @Override
    public void sendEvent(String name, Object... data) {
        target.emit(name, data);
    }

    @Override
    public void sendEvent(String name, SocketIOClient excludedClient, Object... data) {
        target.except(SocketIds.wire(excludedClient.getSessionId())).emit(name, data);
    }

    /**
     * The sockets of this node {@code excludePredicate} leaves out now are left out by id (on the streams transport,
     * the other nodes' members of the room are not asked).
     */
    @Override
    public void sendEvent(String name, Predicate<SocketIOClient> excludePredicate, Object... data) {
        Set<String> excluded = new LinkedHashSet<>();
        for (SocketIOClient client : own.getClients()) {
            if (excludePredicate.test(client)) {
                excluded.add(SocketIds.wire(client.getSessionId()));
            }
        }
        (excluded.isEmpty() ? target : target.except(excluded)).emit(name, data);
    }

    @Override
    public void disconnect() {
        own.disconnect();
    }

    @Override
    public <T> void send(Packet packet, BroadcastAckCallback<T> ackCallback) {
        own.send(packet, ackCallback);
    }

    @Override
    public <T> void sendEvent(String name, Object data, BroadcastAckCallback<T> ackCallback) {
        own.sendEvent(name, data, ackCallback);
    }

    @Override
    public <T> void sendEvent(String name, Object data, SocketIOClient excludedClient, BroadcastAckCallback<T> ackCallback) {
        own.sendEvent(name, data, excludedClient, ackCallback);
    }

    @Override
    public <T> void sendEvent(String name, Object data, Predicate<SocketIOClient> excludePredicate,
                              BroadcastAckCallback<T> ackCallback) {
        own.sendEvent(name, data, excludePredicate, ackCallback);
    }
}
