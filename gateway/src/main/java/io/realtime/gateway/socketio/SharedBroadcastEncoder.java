package io.realtime.gateway.socketio;

import com.corundumstudio.socketio.SocketIOClient;
import com.corundumstudio.socketio.protocol.Packet;
import com.corundumstudio.socketio.protocol.PacketType;
import io.realtime.cluster.BroadcastEncoder;
import io.realtime.cluster.ClusterPacket;
import io.realtime.gateway.engineio.EnginePacket;

import java.util.List;

/**
 * Encodes a broadcast once into Engine.IO packets (immutable, so every session can hold the same instances) and
 * gives them to each recipient's session, instead of one JSON serialization per client.
 */
public final class SharedBroadcastEncoder implements BroadcastEncoder {

    private final SocketIoEncoder encoder;

    public SharedBroadcastEncoder(SocketIoEncoder encoder) {
        this.encoder = encoder;
    }

    private record Encoded(String namespace, String event, List<EnginePacket> packets) {
    }

    @Override
    public Object encode(String namespace, ClusterPacket packet) {
        Packet event = new Packet(PacketType.MESSAGE);
        event.setSubType(PacketType.EVENT);
        event.setNsp("/".equals(namespace) ? "" : namespace);
        event.setName(packet.event());
        event.setData(packet.args());
        return new Encoded(namespace, packet.event(), encoder.encode(event));
    }

    @Override
    public boolean send(SocketIOClient client, Object encoded) {
        if (!(client instanceof GatewaySocket socket) || !(encoded instanceof Encoded shared)) {
            return false;
        }
        socket.sendEncoded(shared.namespace(), shared.event(), shared.packets());
        return true;
    }
}
