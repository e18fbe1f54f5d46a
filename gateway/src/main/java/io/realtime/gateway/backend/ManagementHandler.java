package io.realtime.gateway.backend;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.realtime.gateway.health.NodeHealth;
import io.realtime.gateway.metrics.GatewayMetrics;

import java.nio.charset.StandardCharsets;

/** Health ({@code /health/live}, {@code /health/ready}) and Prometheus metrics ({@code /metrics}) on the internal port. */
@Sharable
final class ManagementHandler extends ChannelInboundHandlerAdapter {

    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final NodeHealth health;
    private final GatewayMetrics metrics;
    private final ObjectMapper mapper;

    ManagementHandler(NodeHealth health, GatewayMetrics metrics, ObjectMapper mapper) {
        this.health = health;
        this.metrics = metrics;
        this.mapper = mapper;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws JsonProcessingException {
        if (!(msg instanceof FullHttpRequest request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        String path = new QueryStringDecoder(request.uri()).path();
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        switch (path) {
            case "/metrics" -> respond(ctx, keepAlive, HttpResponseStatus.OK, PROMETHEUS_TEXT,
                    metrics.scrape().getBytes(StandardCharsets.UTF_8));
            case "/health/live" -> respond(ctx, keepAlive, health.live());
            case "/health/ready" -> respond(ctx, keepAlive, health.ready());
            default -> {
                ctx.fireChannelRead(msg);
                return;
            }
        }
        request.release();
    }

    private void respond(ChannelHandlerContext ctx, boolean keepAlive, NodeHealth.Report report) throws JsonProcessingException {
        respond(ctx, keepAlive, report.ok() ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                "application/json", mapper.writeValueAsBytes(report.body()));
    }

    private static void respond(ChannelHandlerContext ctx, boolean keepAlive, HttpResponseStatus status, String type, byte[] body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        HttpUtil.setContentLength(response, body.length);
        if (keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(response);
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
