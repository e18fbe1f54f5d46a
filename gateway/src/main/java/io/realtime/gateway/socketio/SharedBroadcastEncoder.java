package io.realtime.gateway.socketio;

import com.corundumstudio.socketio.SocketIOClient;
import com.corundumstudio.socketio.protocol.Packet;
import com.corundumstudio.socketio.protocol.PacketType;
import io.realtime.cluster.BroadcastEncoder;
import io.realtime.cluster.ClusterPacket;
import io.realtime.cluster.Recipients;
import io.realtime.gateway.engineio.EnginePacket;
import io.realtime.gateway.engineio.SessionFanOut;
import io.realtime.gateway.stats.TrafficObserver;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Encodes a broadcast once into Engine.IO packets (immutable, so every session can hold the same instances) and
 * hands them to all the recipients' sessions together ({@link SessionFanOut}), instead of one JSON serialization
 * and one task per client; the recipients grouped by event loop are kept with a room's {@link Recipients}, so a
 * broadcast to a room nobody joined or left since the last costs nothing per recipient here. The events sent are
 * counted once per event loop; only a {@link SocketActivity} that
 * {@linkplain SocketActivity#followsEvents() follows events} hears of each recipient (as socket.io's outgoing listeners).
 */
public final class SharedBroadcastEncoder implements BroadcastEncoder<SharedBroadcastEncoder.Encoded> {

    private final SocketIoEncoder encoder;
    private final SessionFanOut fanOut;
    private final TrafficObserver observer;
    private final java.util.function.Supplier<SocketActivity> activity;
    /** One instance, so that a room's recipients keep what it made of them ({@link Recipients#prepared}). */
    private final Function<List<SocketIOClient>, Prepared> preparation = Prepared::of;

    public SharedBroadcastEncoder(SocketIoEncoder encoder, SessionFanOut fanOut, TrafficObserver observer) {
        this(encoder, fanOut, observer, () -> SocketActivity.NONE);
    }

    /** @param activity read at each broadcast: it may be set on the server after this encoder is made */
    public SharedBroadcastEncoder(SocketIoEncoder encoder, SessionFanOut fanOut, TrafficObserver observer,
                                  java.util.function.Supplier<SocketActivity> activity) {
        this.encoder = encoder;
        this.fanOut = fanOut;
        this.observer = observer;
        this.activity = activity;
    }

    /** A broadcast's Engine.IO packets, the same instances for every recipient (the arguments for those who follow events). */
    public record Encoded(String namespace, String event, List<Object> args, List<EnginePacket> packets) {
    }

    @Override
    public Encoded encode(String namespace, ClusterPacket packet) {
        Packet event = new Packet(PacketType.MESSAGE);
        event.setSubType(PacketType.EVENT);
        event.setNsp(NamespaceNames.nettySocketIo(namespace));
        event.setName(packet.event());
        event.setData(packet.args());
        return new Encoded(namespace, packet.event(), packet.args(), encoder.encode(event));
    }

    @Override
    public List<SocketIOClient> sendAll(Encoded shared, Recipients recipients) {
        Prepared prepared = recipients.prepared(preparation);
        if (!prepared.sockets().isEmpty()) {
            fanOut.send(prepared.sockets(), shared.packets(),
                    sent -> observer.eventsSent(shared.namespace(), shared.event(), sent));
            SocketActivity listener = activity.get();
            if (listener.followsEvents()) {
                for (SocketIOClient client : recipients.clients()) {
                    if (client instanceof GatewaySocket socket && socket.isLive()) {
                        listener.eventSent(socket, shared.event(), shared.args());
                    }
                }
            }
        }
        return prepared.unserved();
    }

    /** A broadcast's recipients as this server sends to them: its own sockets by event loop, and any others. */
    private record Prepared(SessionFanOut.Groups sockets, List<SocketIOClient> unserved) {

        static Prepared of(List<SocketIOClient> clients) {
            List<GatewaySocket> sockets = new ArrayList<>(clients.size());
            List<SocketIOClient> unserved = new ArrayList<>(0);
            for (SocketIOClient client : clients) {
                if (client instanceof GatewaySocket socket) {
                    sockets.add(socket);
                } else {
                    unserved.add(client);
                }
            }
            return new Prepared(SessionFanOut.group(sockets), List.copyOf(unserved));
        }
    }
}
