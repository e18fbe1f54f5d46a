package io.realtime.gateway.backend;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.ReferenceCountUtil;

/**
 * Put right behind the HTTP decoder when a pre-stop arrives: what the decoder still gets out of the same read (more
 * requests of a keep-alive client) is released unanswered, so that no handler in front of {@link ManagementHandler}
 * (the malformed request's 400, the aggregator's 100-continue, 413 or 417, the path check's 400) answers before the
 * pre-stop's delayed answer, which closes the connection. The client retries those requests elsewhere.
 */
final class RequestsAfterPreStop extends ChannelInboundHandlerAdapter {

    static final String NAME = "requestsAfterPreStop";

    private RequestsAfterPreStop() {
    }

    /** Installs the handler behind the pipeline's HTTP decoder (first, when it has none), once. */
    static void install(ChannelPipeline pipeline) {
        if (pipeline.get(NAME) != null) {
            return;
        }
        ChannelHandlerContext decoder = pipeline.context(HttpServerCodec.class);
        if (decoder == null) {
            pipeline.addFirst(NAME, new RequestsAfterPreStop());
        } else {
            pipeline.addAfter(decoder.name(), NAME, new RequestsAfterPreStop());
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
    }
}
