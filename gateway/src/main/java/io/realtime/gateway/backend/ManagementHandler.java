package io.realtime.gateway.backend;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.realtime.gateway.http.HttpReply;
import io.realtime.gateway.health.NodeHealth;
import io.realtime.gateway.metrics.GatewayMetrics;

import java.nio.charset.StandardCharsets;

/** Health ({@code /health/live}, {@code /health/ready}) and Prometheus metrics ({@code /metrics}) on the internal port. */
@Sharable
public final class ManagementHandler extends ChannelInboundHandlerAdapter {

    public static final String METRICS = "/metrics";
    public static final String LIVENESS = "/health/live";
    public static final String READINESS = "/health/ready";
    public static final String PRE_STOP = "/lifecycle/pre-stop";
    /**
     * How long after its answer a pre-stop waits for the stop that should follow (Kubernetes sends SIGTERM at once,
     * and kills the pod within its grace period) before the node serves again.
     */
    static final java.time.Duration PRE_STOP_EXPIRY = java.time.Duration.ofMinutes(1);

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ManagementHandler.class);

    /** Set on a connection whose pre-stop is waiting for its answer: nothing else is answered on it. */
    private static final io.netty.util.AttributeKey<Boolean> PRE_STOP_PENDING =
            io.netty.util.AttributeKey.valueOf(ManagementHandler.class, "preStopPending");

    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final NodeHealth health;
    private final GatewayMetrics metrics;
    private final ObjectMapper mapper;
    private final java.time.Duration preStopDelay;

    private final java.time.Duration preStopExpiry;

    ManagementHandler(NodeHealth health, GatewayMetrics metrics, ObjectMapper mapper, java.time.Duration preStopDelay) {
        this(health, metrics, mapper, preStopDelay, PRE_STOP_EXPIRY);
    }

    ManagementHandler(NodeHealth health, GatewayMetrics metrics, ObjectMapper mapper, java.time.Duration preStopDelay,
                      java.time.Duration preStopExpiry) {
        this.preStopExpiry = preStopExpiry;
        this.health = health;
        this.metrics = metrics;
        this.mapper = mapper;
        this.preStopDelay = preStopDelay;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws JsonProcessingException {
        if (!(msg instanceof FullHttpRequest request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (ctx.channel().hasAttr(PRE_STOP_PENDING)) {
            // Sent in the same read as a pre-stop (stopping the reads holds back only later ones): the pre-stop's
            // answer closes the connection, so it must be the next one, and these are left for the client to retry.
            request.release();
            return;
        }
        String path = new QueryStringDecoder(request.uri()).path();
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        boolean passedOn = false;
        try {
            String allowed = allowedMethods(path);
            if (allowed != null && !java.util.List.of(allowed.split(", ")).contains(request.method().name())) {
                // Probes and scrapes are GETs: anything else is a mistake, which on the pre-stop hook would take the
                // node out of service.
                HttpReply.to(ctx.channel(), keepAlive).header(io.netty.handler.codec.http.HttpHeaderNames.ALLOW, allowed)
                        .send(HttpResponseStatus.METHOD_NOT_ALLOWED, "application/json",
                                new ApiError(HttpResponseStatus.METHOD_NOT_ALLOWED, "method_not_allowed", "use " + allowed).json());
                return;
            }
            switch (path) {
                case METRICS -> respond(ctx, keepAlive, HttpResponseStatus.OK, PROMETHEUS_TEXT,
                        metrics.scrape().getBytes(StandardCharsets.UTF_8));
                case LIVENESS -> respond(ctx, keepAlive, health.live());
                case READINESS -> respond(ctx, keepAlive, health.ready());
                case PRE_STOP -> {
                    // Kubernetes' preStop hook: unready now, so endpoints and balancers drop the pod; the answer comes
                    // after the delay (scheduled, never blocking the event loop), then SIGTERM starts the drain.
                    // The connection is not read meanwhile and closes after the answer: a keep-alive request sent
                    // during the delay would otherwise be answered first, taken for the pre-stop's answer.
                    long call = health.preStop();
                    ctx.channel().config().setAutoRead(false);
                    ctx.channel().attr(PRE_STOP_PENDING).set(Boolean.TRUE);
                    // Requests decoded from the same read reach no handler from now on, those in front of this one
                    // included, which could otherwise answer them before the pre-stop.
                    RequestsAfterPreStop.install(ctx.pipeline());
                    byte[] body = "{\"status\":\"DRAINING\"}".getBytes(StandardCharsets.UTF_8);
                    ctx.executor().schedule(() -> respond(ctx, false, HttpResponseStatus.OK, "application/json", body),
                            preStopDelay.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
                    ctx.executor().schedule(() -> {
                        if (health.preStopExpired(call)) {
                            log.warn("{} was called but no stop followed within {}: serving again", PRE_STOP, preStopExpiry);
                        }
                    }, preStopDelay.plus(preStopExpiry).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
                }
                default -> {
                    passedOn = true;
                    ctx.fireChannelRead(msg);
                }
            }
        } catch (RuntimeException | JsonProcessingException e) {
            if (passedOn) {
                throw e;
            }
            // A failing scrape or health check: the prober gets an answer it can report (not a closed connection,
            // logged at DEBUG by the API handler behind), the log tells why, and the connection serves on.
            log.error("{} {} failed", request.method(), path, e);
            respond(ctx, keepAlive, HttpResponseStatus.INTERNAL_SERVER_ERROR, "application/json",
                    ApiError.internal().json());
        } finally {
            // Released also when a scrape or a health check throws: a failing probe must not leak a buffer per call.
            if (!passedOn) {
                request.release();
            }
        }
    }

    /** The methods a path of this handler answers ({@code null}: not one of its paths). */
    private static String allowedMethods(String path) {
        return switch (path) {
            case METRICS, LIVENESS, READINESS -> "GET, HEAD";
            case PRE_STOP -> "GET";
            default -> null;
        };
    }

    private void respond(ChannelHandlerContext ctx, boolean keepAlive, NodeHealth.Report report) throws JsonProcessingException {
        respond(ctx, keepAlive, report.ok() ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                "application/json", mapper.writeValueAsBytes(report.body()));
    }

    private static void respond(ChannelHandlerContext ctx, boolean keepAlive, HttpResponseStatus status, String type, byte[] body) {
        HttpReply.to(ctx.channel(), keepAlive).send(status, type, body);
    }
}
