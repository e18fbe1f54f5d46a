package io.realtime.gateway.limits;

import io.netty.channel.ChannelPipeline;
import io.realtime.gateway.stats.HttpCloseObserver;

/**
 * Installs a connection's request and idle deadlines ({@link HttpLimits}): one {@link RequestClock} per connection,
 * fed by a handler before the HTTP decoder and one behind the encoder.
 */
public final class HttpTimeouts {

    private final HttpLimits limits;
    private final HttpCloseObserver reporter;

    /** @param reporter told of each connection closed by a deadline (request_timeout, idle_timeout) */
    public HttpTimeouts(HttpLimits limits, HttpCloseObserver reporter) {
        this.limits = limits;
        this.reporter = reporter;
    }

    /** A new pair of handlers sharing one clock, for one connection. */
    public RequestClockPair newPair() {
        RequestClock clock = new RequestClock(limits, reporter);
        return new RequestClockPair(new RequestStartHandler(clock), new RequestEndHandler(clock));
    }

    /** The two handlers of one connection's clock. */
    public static final class RequestClockPair {
        private final RequestStartHandler start;
        private final RequestEndHandler end;

        RequestClockPair(RequestStartHandler start, RequestEndHandler end) {
            this.start = start;
            this.end = end;
        }

        /** Adds the start handler at the end of the pipeline as it is now (call before adding the HTTP decoder). */
        public void addStart(ChannelPipeline pipeline) {
            pipeline.addLast(RequestStartHandler.NAME, start);
        }

        /** Adds the end handler at the end of the pipeline as it is now (call after adding the HTTP encoder). */
        public void addEnd(ChannelPipeline pipeline) {
            pipeline.addLast(RequestEndHandler.NAME, end);
        }
    }
}
