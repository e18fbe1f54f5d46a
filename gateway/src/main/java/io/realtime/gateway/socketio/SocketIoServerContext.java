package io.realtime.gateway.socketio;

import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.ack.AckManager;
import com.corundumstudio.socketio.namespace.Namespace;
import com.corundumstudio.socketio.scheduler.CancelableScheduler;

import io.realtime.gateway.stats.TrafficObserver;

import java.time.Duration;
import java.util.function.Function;

/**
 * What every Socket.IO connection of a server shares.
 *
 * @param namespaces     finds a namespace by its wire name ({@code /}, {@code /chat}); {@code null} when unknown
 * @param connectTimeout how long a connection may stay without joining any namespace
 * @param maxAttachments the most binary attachments one packet may announce
 * @param maxPacketBytes the most one packet may hold with its attachments ({@code maxHttpBufferSize})
 * @param maxConnectChars the most characters of a namespace CONNECT packet (its auth payload); 0: no bound of its own
 * @param activity       who hears what individual sockets do ({@link SocketActivity#NONE} when nobody)
 * @param recoveries     a namespace's connection state recovery by its wire name; {@code null} when it is off
 */
public record SocketIoServerContext(
        Configuration configuration,
        GatewayJsonSupport json,
        SocketIoEncoder encoder,
        AckManager ackManager,
        CancelableScheduler scheduler,
        Function<String, Namespace> namespaces,
        Duration connectTimeout,
        int maxAttachments,
        long maxPacketBytes,
        int maxConnectChars,
        TrafficObserver observer,
        io.realtime.gateway.limits.EventLimits eventLimits,
        SocketActivity activity,
        Function<String, io.realtime.cluster.recovery.SessionRecovery> recoveries) {
}
