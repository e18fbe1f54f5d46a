package io.realtime.gateway.backend;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.realtime.gateway.health.NodeHealth;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Kubernetes' pre-stop hook: unready at once, answered after the delay, and undone when no stop follows; a request
 * whose answer fails gets a 500 and is released all the same.
 */
class ManagementHandlerTest {

    private static FullHttpResponse preStop(EmbeddedChannel channel) {
        channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, ManagementHandler.PRE_STOP));
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            channel.runScheduledPendingTasks();
            return channel.outboundMessages().size() > 0;
        });
        return channel.readOutbound();
    }

    /**
     * A channel not closed after a pre-stop's answer: closing an embedded channel cancels every task scheduled on its
     * loop, where a real event loop goes on to run the pre-stop's expiry. The answer's write is never reported done,
     * so the listener that would close the connection does not run.
     */
    private static EmbeddedChannel keptOpen(ManagementHandler handler) {
        return new EmbeddedChannel(new io.netty.channel.ChannelOutboundHandlerAdapter() {
            @Override
            public void write(io.netty.channel.ChannelHandlerContext ctx, Object msg, io.netty.channel.ChannelPromise promise) {
                ctx.write(msg, ctx.newPromise());
            }
        }, handler);
    }

    @Test
    void aPreStopThatNoStopFollowsIsUndoneAndOneThatAStopFollowsIsNot() {
        NodeHealth health = new NodeHealth(null, null);
        health.serving();
        ManagementHandler handler = new ManagementHandler(health, null, new ObjectMapper(), Duration.ofMillis(20),
                Duration.ofMillis(200));
        EmbeddedChannel channel = keptOpen(handler);

        FullHttpResponse answer = preStop(channel);
        assertThat(answer.status()).isEqualTo(HttpResponseStatus.OK);
        answer.release();
        assertThat(health.phase()).isEqualTo(NodeHealth.Phase.DRAINING);
        // Called by something else than Kubernetes stopping the pod: no SIGTERM comes, and the node serves again.
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            channel.runScheduledPendingTasks();
            return health.phase() == NodeHealth.Phase.SERVING;
        });

        // The pre-stop's answer closed its connection: the next call comes on another.
        channel.finishAndReleaseAll();
        EmbeddedChannel again = keptOpen(handler);
        preStop(again).release();
        health.draining();
        // Past the expiry the stop that followed holds.
        await().during(Duration.ofMillis(400)).atMost(Duration.ofSeconds(5)).until(() -> {
            again.runScheduledPendingTasks();
            return health.phase() == NodeHealth.Phase.DRAINING;
        });
        again.finishAndReleaseAll();
    }

    @Test
    void onlyTheExpiryOfTheLatestPreStopUndoesIt() {
        NodeHealth health = new NodeHealth(null, null);
        health.serving();
        long first = health.preStop();
        long second = health.preStop();

        assertThat(health.preStopExpired(first)).as("called again since: the later call's expiry decides").isFalse();
        assertThat(health.phase()).isEqualTo(NodeHealth.Phase.DRAINING);
        assertThat(health.preStopExpired(second)).isTrue();
        assertThat(health.phase()).isEqualTo(NodeHealth.Phase.SERVING);
    }

    @Test
    void aRequestWhoseAnswerThrowsGets500InJsonIsReleasedAndTheConnectionServesOn() {
        // No registry to scrape: the answer throws, as a failing scrape would.
        EmbeddedChannel channel = new EmbeddedChannel(new ManagementHandler(new NodeHealth(null, null), null,
                new ObjectMapper(), Duration.ofMillis(20)));
        DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, ManagementHandler.METRICS);

        channel.writeInbound(request);

        FullHttpResponse failed = channel.readOutbound();
        assertThat(failed.status()).isEqualTo(HttpResponseStatus.INTERNAL_SERVER_ERROR);
        assertThat(failed.headers().get("Content-Type")).isEqualTo("application/json");
        assertThat(failed.content().toString(java.nio.charset.StandardCharsets.UTF_8)).contains("\"code\":\"internal_error\"");
        failed.release();
        assertThat(request.refCnt()).isZero();
        assertThat(channel.isOpen()).isTrue();
        channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, ManagementHandler.METRICS));
        FullHttpResponse next = channel.readOutbound();
        assertThat(next).as("the next request on the connection is answered").isNotNull();
        next.release();
        channel.finishAndReleaseAll();
    }

    /** Only Kubernetes' GET may take the node out of service; probes and scrapes are GETs or HEADs. */
    @Test
    void anotherMethodThanAProbesIsRefusedWithoutEffect() {
        NodeHealth health = new NodeHealth(null, null);
        health.serving();
        EmbeddedChannel channel = new EmbeddedChannel(new ManagementHandler(health, null, new ObjectMapper(),
                Duration.ofMillis(20)));

        channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, ManagementHandler.PRE_STOP));
        FullHttpResponse refused = channel.readOutbound();
        assertThat(refused.status()).isEqualTo(HttpResponseStatus.METHOD_NOT_ALLOWED);
        assertThat(refused.headers().get("Allow")).isEqualTo("GET");
        assertThat(refused.content().toString(java.nio.charset.StandardCharsets.UTF_8)).contains("\"method_not_allowed\"");
        refused.release();
        assertThat(health.phase()).isEqualTo(NodeHealth.Phase.SERVING);

        channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.DELETE, ManagementHandler.READINESS));
        FullHttpResponse deleted = channel.readOutbound();
        assertThat(deleted.status()).isEqualTo(HttpResponseStatus.METHOD_NOT_ALLOWED);
        assertThat(deleted.headers().get("Allow")).isEqualTo("GET, HEAD");
        deleted.release();

        channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.HEAD, ManagementHandler.PRE_STOP));
        FullHttpResponse head = channel.readOutbound();
        assertThat(head.status()).isEqualTo(HttpResponseStatus.METHOD_NOT_ALLOWED);
        head.release();
        assertThat(health.phase()).isEqualTo(NodeHealth.Phase.SERVING);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }
    /** A keep-alive request sent while the pre-stop's answer waits for PRE_STOP_DELAY is not answered before it. */
    @Test
    void aPreStopIsAnsweredFirstWithConnectionCloseAndTheConnectionIsNotReadMeanwhile() {
        NodeHealth health = new NodeHealth(null, null);
        health.serving();
        EmbeddedChannel channel = new EmbeddedChannel(new ManagementHandler(health, null, new ObjectMapper(),
                Duration.ofMillis(50)));

        channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, ManagementHandler.PRE_STOP));
        assertThat(channel.config().isAutoRead()).as("not read while the answer waits").isFalse();
        DefaultFullHttpRequest next = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, ManagementHandler.METRICS);
        channel.writeInbound(next);
        assertThat(next.refCnt()).isZero();

        await().atMost(Duration.ofSeconds(5)).until(() -> {
            channel.runScheduledPendingTasks();
            return channel.outboundMessages().size() > 0;
        });
        FullHttpResponse first = channel.readOutbound();
        assertThat(first.status()).isEqualTo(HttpResponseStatus.OK);
        assertThat(first.headers().get("Connection")).isEqualTo("close");
        assertThat(first.content().toString(java.nio.charset.StandardCharsets.UTF_8)).contains("DRAINING");
        first.release();
        assertThat((Object) channel.readOutbound()).as("nothing else answered").isNull();
        assertThat(channel.isOpen()).isFalse();
        channel.finishAndReleaseAll();
    }

    /**
     * Requests decoded from the same read as a pre-stop never reach the handlers in front of this one either (the
     * aggregator's 413 after Expect, the malformed request's 400): the pre-stop's answer is the connection's only one.
     */
    @Test
    void requestsReadWithAPreStopAreAnsweredByNoHandlerInFrontOfIt() {
        NodeHealth health = new NodeHealth(null, null);
        health.serving();
        EmbeddedChannel channel = new EmbeddedChannel(new io.netty.handler.codec.http.HttpServerCodec(),
                new io.realtime.gateway.limits.UndecodableRequestHandler(io.realtime.gateway.stats.HttpCloseObserver.NONE,
                        (status, code, message) -> new ApiError(status, code, message).json()), new ApiAggregator(1000, new io.realtime.gateway.metrics.ApiMetrics(
                        BackendApiHandler.ROUTES, HttpResponseStatus.ACCEPTED.code())),
                new ManagementHandler(health, null, new ObjectMapper(), Duration.ofMillis(50)));

        channel.writeInbound(io.netty.buffer.Unpooled.copiedBuffer("GET " + ManagementHandler.PRE_STOP
                + " HTTP/1.1\r\nHost: localhost\r\n\r\n"
                + "POST /api/v1/data HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n"
                + "GET /metrics HTTP/1.1\r\nHost: localhost\r\nContent-Length: nope\r\n\r\n",
                java.nio.charset.StandardCharsets.US_ASCII));
        assertThat((Object) channel.readOutbound()).as("nothing answered before the pre-stop").isNull();

        await().atMost(Duration.ofSeconds(5)).until(() -> {
            channel.runScheduledPendingTasks();
            return channel.outboundMessages().size() > 0;
        });
        StringBuilder wire = new StringBuilder();
        for (io.netty.buffer.ByteBuf out; (out = channel.readOutbound()) != null; out.release()) {
            wire.append(out.toString(java.nio.charset.StandardCharsets.UTF_8));
        }
        assertThat(wire.toString()).startsWith("HTTP/1.1 200 ").containsIgnoringCase("connection: close")
                .contains("DRAINING").containsOnlyOnce("HTTP/1.1");
        channel.finishAndReleaseAll();
    }
}
