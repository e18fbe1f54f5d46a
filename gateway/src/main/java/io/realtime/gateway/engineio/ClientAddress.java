package io.realtime.gateway.engineio;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The address of the client behind a connection, as handshakes, per-address admission, logs and
 * {@code fetchSockets} see it: the request's client as a trusted proxy's {@code Forwarded}/{@code X-Forwarded-For}
 * names it, else the connection's source as the PROXY protocol names it, else the TCP peer.
 */
public final class ClientAddress {

    /** The client of the request being handled, set per request where forwarding headers are trusted. */
    public static final AttributeKey<InetSocketAddress> OF_REQUEST = AttributeKey.valueOf("gateway.clientOfRequest");
    /** The source of the connection given by the PROXY protocol header. */
    public static final AttributeKey<InetSocketAddress> OF_CONNECTION = AttributeKey.valueOf("gateway.clientOfConnection");

    private ClientAddress() {
    }

    public static InetSocketAddress of(Channel channel) {
        // hasAttr first: attr() makes the attribute when it is absent, 72 bytes kept by every connection.
        InetSocketAddress ofRequest = channel.hasAttr(OF_REQUEST) ? channel.attr(OF_REQUEST).get() : null;
        return ofRequest != null ? ofRequest : peer(channel);
    }

    /** The connection's source: the PROXY protocol's, or the TCP peer. */
    public static InetSocketAddress peer(Channel channel) {
        InetSocketAddress proxied = channel.hasAttr(OF_CONNECTION) ? channel.attr(OF_CONNECTION).get() : null;
        if (proxied != null) {
            return proxied;
        }
        // Only tests' embedded channels have no socket address.
        return channel.remoteAddress() instanceof InetSocketAddress address ? address
                : new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }
}
