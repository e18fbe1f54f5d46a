package io.realtime.gateway.admission;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolException;
import io.netty.util.NetUtil;
import io.realtime.gateway.engineio.ClientAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Behind Netty's {@link HAProxyMessageDecoder}: the PROXY header's source becomes the connection's client address
 * ({@link ClientAddress#OF_CONNECTION}); a {@code LOCAL} header (the balancer's own health check) keeps the peer.
 * A connection that does not start with a valid header is closed: with {@code PROXY_PROTOCOL} on, only the
 * balancer may connect. Leaves the pipeline once the header is read.
 */
public final class ProxyProtocolHandler extends ChannelInboundHandlerAdapter {

    public static final String DECODER_NAME = "proxyProtocolDecoder";
    public static final String NAME = "proxyProtocol";

    private static final Logger log = LoggerFactory.getLogger(ProxyProtocolHandler.class);

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
