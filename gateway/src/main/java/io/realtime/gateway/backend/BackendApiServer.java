package io.realtime.gateway.backend;

import com.corundumstudio.socketio.SocketIOServer;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.realtime.gateway.broadcast.ServerPush;
import io.realtime.gateway.health.NodeHealth;
import io.realtime.gateway.http.AcceptedConnections;
import io.realtime.gateway.http.LoopShutdown;
import io.realtime.gateway.http.UndecodablePathHandler;
import io.realtime.gateway.limits.HttpLimits;
import io.realtime.gateway.limits.HttpTimeouts;
import io.realtime.gateway.limits.UndecodableRequestHandler;
import io.realtime.gateway.metrics.ApiMetrics;
import io.realtime.gateway.metrics.GatewayMetrics;
import io.realtime.gateway.metrics.HttpCloseMetrics;
import jakarta.validation.Validator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;

/** The internal HTTP port ({@code MANAGEMENT_PORT}): health, Prometheus metrics and the backend publish API. */
public final class BackendApiServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BackendApiServer.class);

    private final Channel channel;
    private final AcceptedConnections connections;
    private final EventLoopGroup group;

    private BackendApiServer(Channel channel, AcceptedConnections connections, EventLoopGroup group) {
        this.channel = channel;
        this.connections = connections;
        this.group = group;
    }

    public static BackendApiServer start(String host, int port, int maxBodyBytes, SocketIOServer server,
                                         ServerPush push, ObjectMapper mapper, Validator validator, String apiKey,
                                         NodeHealth health, GatewayMetrics metrics, java.time.Duration preStopDelay,
                                         HttpLimits httpLimits) {
        ApiMetrics requests = new ApiMetrics(BackendApiHandler.ROUTES, HttpResponseStatus.ACCEPTED.code());
        // The connections closed by the deadlines or answered by UndecodableRequestHandler, which ApiMetrics does not
        // count (no route is known for them).
        HttpCloseMetrics closes = new HttpCloseMetrics(HttpCloseMetrics.Port.INTERNAL);
        metrics.bind(requests, closes);
        UndecodableRequestHandler undecodable = new UndecodableRequestHandler(closes,
                (status, code, message) -> new ApiError(status, code, message).json());
        BackendApiHandler api = new BackendApiHandler(server, push, mapper, validator, apiKey, requests);
        // Requests answered before the API handler (a path's bad escape, a body too large) are counted as its own are.
        UndecodablePathHandler undecodablePath = UndecodablePathHandler.forBackendApi(request -> requests.record(
                BackendApiHandler.routeName(request), HttpResponseStatus.BAD_REQUEST.code(), 0));
        ManagementHandler management = new ManagementHandler(health, metrics, mapper, preStopDelay);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        AcceptedConnections connections = new AcceptedConnections("internal HTTP API connections");
        // REQUEST_TIMEOUT and IDLE_CONNECTION_TIMEOUT, as on the Socket.IO port: a silent or slowloris client must not
        // hold descriptors on the port that answers the liveness probe.
        HttpTimeouts timeouts = new HttpTimeouts(httpLimits, closes);
        io.netty.channel.ChannelFuture bound = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.add(ch);
                        HttpTimeouts.RequestClockPair clock = timeouts.newPair();
                        clock.addStart(ch.pipeline());
                        // The request line and header block bounded as on the Socket.IO port (414, 431), not by
                        // Netty's defaults (4 KiB / 8 KiB).
                        ch.pipeline().addLast("http", new HttpServerCodec(new HttpDecoderConfig()
                                .setMaxInitialLineLength(httpLimits.maxInitialLineLength())
                                .setMaxHeaderSize(httpLimits.maxHeaderSize())));
                        ch.pipeline().addLast(UndecodableRequestHandler.NAME, undecodable);
                        ch.pipeline().addLast(ApiAggregator.NAME, new ApiAggregator(maxBodyBytes, requests));
                        clock.addEnd(ch.pipeline());
                        ch.pipeline().addLast(UndecodablePathHandler.NAME, undecodablePath);
                        ch.pipeline().addLast("management", management);
                        ch.pipeline().addLast("api", api);
                    }
                })
                .bind(new InetSocketAddress(host, port)).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            LoopShutdown.shutDown(group, "internal HTTP API event loop");
            throw new IllegalStateException("the internal HTTP API cannot listen on " + host + ":" + port + ": "
                    + bound.cause().getMessage(), bound.cause());
        }
        Channel channel = bound.channel();
        log.info("Internal HTTP API listening on {}", channel.localAddress());
        if (apiKey == null) {
            // The bound port, not the configured one: 0 asks for any free port.
            log.warn("API_KEY is not set: the backend API on port {} accepts loopback callers only",
                    ((InetSocketAddress) channel.localAddress()).getPort());
        }
        return new BackendApiServer(channel, connections, group);
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    /** The loop serving the connections, for a test to keep it busy. */
    EventLoopGroup eventLoops() {
        return group;
    }

    /**
     * Stops listening and closes every connection it accepted: a backend service's keep-alive connection left open
     * would hang its next request (see {@link AcceptedConnections}).
     */
    @Override
    public void close() {
        // Bounded, as the loop's end: the close runs on the loop, which a stuck task would keep from it for good.
        channel.close().awaitUninterruptibly(LoopShutdown.WAIT_MILLIS);
        connections.close();
        LoopShutdown.shutDown(group, "internal HTTP API event loop");
    }
}
