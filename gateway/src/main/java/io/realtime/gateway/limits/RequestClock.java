package io.realtime.gateway.limits;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.util.concurrent.ScheduledFuture;
import io.realtime.gateway.stats.HttpClose;
import io.realtime.gateway.stats.HttpCloseObserver;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The timing of one HTTP connection, confined to its event loop: while a request is being received, it must end
 * before {@code requestTimeout}; while no request is in flight (none being received, none waiting for its answer),
 * the connection may stay {@code idleTimeout}; while the server holds a request (a long-poll), nothing runs. Two
 * handlers feed it, because no single place in the pipeline sees both a request's first byte and its end:
 * {@link RequestStartHandler} before the HTTP decoder and {@link RequestEndHandler} behind the aggregator and encoder.
 */
final class RequestClock {

    private final HttpLimits limits;
    private final HttpCloseObserver reporter;
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> deadline;
    private boolean receiving;
    private int inFlight;
    private boolean done;

    /** @param reporter told of each connection the clock closes ({@link HttpClose#REQUEST_TIMEOUT}, {@link HttpClose#IDLE_TIMEOUT}) */
    RequestClock(HttpLimits limits, HttpCloseObserver reporter) {
        this.limits = limits;
        this.reporter = reporter;
    }

    /** The connection is open: its first request is due (a connection that says nothing is closed). */
    void opened(ChannelHandlerContext context) {
        ctx = context;
        bytesArrived();
    }

    void bytesArrived() {
        if (!receiving && !done) {
            receiving = true;
            arm(limits.requestTimeout(), true);
        }
    }

    void requestReceived() {
        receiving = false;
        inFlight++;
        cancel();
    }

    void responseSent() {
        if (inFlight > 0) {
            inFlight--;
        }
        if (inFlight == 0 && !receiving && !done) {
            arm(limits.idleTimeout(), false);
        }
    }

    /** The connection is no longer plain HTTP (a WebSocket, kept alive by Engine.IO's heartbeat) or is closed. */
    void stop() {
        done = true;
        cancel();
    }

    /** Removes both handlers of this clock from a pipeline that no longer speaks HTTP. */
    void leave(ChannelPipeline pipeline) {
        stop();
        if (pipeline.get(RequestStartHandler.NAME) != null) {
            pipeline.remove(RequestStartHandler.NAME);
        }
        if (pipeline.get(RequestEndHandler.NAME) != null) {
            pipeline.remove(RequestEndHandler.NAME);
        }
    }

    private void arm(Duration timeout, boolean request) {
        cancel();
        if (ctx == null) {
            return;
        }
        deadline = ctx.executor().schedule(() -> {
            // A connection whose output is shut is being closed by whoever shut it (http.LingeringClose, after a 413).
            if (!done && ctx.channel().isActive()
                    && !(ctx.channel() instanceof io.netty.channel.socket.DuplexChannel duplex && duplex.isOutputShutdown())) {
                done = true;
                reporter.closed(request ? HttpClose.REQUEST_TIMEOUT : HttpClose.IDLE_TIMEOUT);
                ctx.channel().close();
            }
        }, timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void cancel() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }
}
