package io.realtime.gateway.admission;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolException;
import io.netty.util.NetUtil;
import io.realtime.gateway.engineio.ClientAddress;
import io.realtime.gateway.stats.RefusalReason;
import io.realtime.gateway.stats.TrafficObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Behind Netty's {@link HAProxyMessageDecoder}: the PROXY header's source becomes the connection's client address
 * ({@link ClientAddress#OF_CONNECTION}); a {@code LOCAL} header (the balancer's own health check) keeps the peer.
 * With {@code PROXY_PROTOCOL} on, only the balancers of {@code PROXY_PROTOCOL_FROM} may connect: a connection from
 * any other peer is closed before anything of it is read ({@link #addTo}), and one that does not start with a valid
 * header is closed. Leaves the pipeline once the header is read.
 */
public final class ProxyProtocolHandler extends ChannelInboundHandlerAdapter {

    public static final String DECODER_NAME = "proxyProtocolDecoder";
    public static final String NAME = "proxyProtocol";

    private static final Logger log = LoggerFactory.getLogger(ProxyProtocolHandler.class);

    /**
     * Adds the decoder and this handler to a new connection's pipeline if its TCP peer is one of {@code balancers};
     * closes it otherwise, before anything of it is read, and counts it: its header would be believed as a
     * balancer's, naming whatever client address it likes (past the per-address limits, into the logs and the
     * handshake, and, named as a trusted proxy, making its own forwarding header believed).
     *
     * @return whether the connection stays
     */
    public static boolean addTo(Channel channel, TrustedProxies balancers, TrafficObserver observer) {
        if (!(channel.remoteAddress() instanceof InetSocketAddress peer) || !balancers.trusts(peer)) {
            observer.refused(RefusalReason.UNTRUSTED_PEER);
            log.debug("connection from {} closed: not a balancer allowed to send the PROXY header (PROXY_PROTOCOL_FROM)",
                    channel.remoteAddress());
            channel.close();
            return false;
        }
        channel.pipeline().addLast(DECODER_NAME, new HAProxyMessageDecoder());
        channel.pipeline().addLast(NAME, new ProxyProtocolHandler());
        return true;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HAProxyMessage header)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            if (header.command() == HAProxyCommand.PROXY && header.sourceAddress() != null) {
                InetAddress source = NetUtil.createInetAddressFromIpAddressString(header.sourceAddress());
                if (source != null) {
                    ctx.channel().attr(ClientAddress.OF_CONNECTION).set(new InetSocketAddress(source, header.sourcePort()));
                }
            }
        } finally {
            header.release();
        }
        ctx.pipeline().remove(this);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof HAProxyProtocolException) {
            log.debug("connection from {} without a valid PROXY protocol header: {}", ctx.channel().remoteAddress(),
                    cause.getMessage());
            ctx.close();
            return;
        }
        ctx.fireExceptionCaught(cause);
    }
}
