package io.realtime.gateway.http;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;

/**
 * Answers 400 (JSON) to a request whose path does not decode (a malformed percent escape such as {@code /%zz}),
 * ahead of the handlers that route by the decoded path: each of them would throw, which closed the connection
 * without an answer (and on the internal port left the request's buffer unreleased).
 */
@Sharable
public final class UndecodablePathHandler extends ChannelInboundHandlerAdapter {

    public static final String NAME = "undecodablePath";
    static final String MESSAGE = "the request path has a malformed percent escape";

    private final String json;
    private final java.util.function.Consumer<HttpRequest> refused;

    /** {@code json}: the body of the 400, in the format of the port's other errors. */
    public UndecodablePathHandler(String json) {
        this(json, request -> { });
    }

    /** @param refused told of each request answered 400 here, before it is released (for a port's request metric) */
    private UndecodablePathHandler(String json, java.util.function.Consumer<HttpRequest> refused) {
        this.json = json;
        this.refused = refused;
    }

    /** The main port's errors: {@code {"code":400,"message":...}}, as its 404. */
    public static UndecodablePathHandler forSocketIoPort() {
        return new UndecodablePathHandler("{\"code\":400,\"message\":\"" + MESSAGE + "\"}");
    }

    /**
     * The backend API's errors: {@code {"error":{"code":"bad_request","message":...}}}; {@code refused} is told of
     * each, as the API's own answers are counted.
     */
    public static UndecodablePathHandler forBackendApi(java.util.function.Consumer<HttpRequest> refused) {
        return new UndecodablePathHandler("{\"error\":{\"code\":\"bad_request\",\"message\":\"" + MESSAGE + "\"}}",
                refused);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request && !decodable(request.uri())) {
            boolean keepAlive = io.netty.handler.codec.http.HttpUtil.isKeepAlive(request);
            refused.accept(request);
            ReferenceCountUtil.release(msg);
            HttpReply.to(ctx.channel(), keepAlive).sendJson(HttpResponseStatus.BAD_REQUEST, json);
            return;
        }
        ctx.fireChannelRead(msg);
    }

    /** Whether Netty's decoder reads the path; a path without {@code %} always decodes, so it is not decoded here. */
    static boolean decodable(String uri) {
        int percent = uri.indexOf('%');
        int query = uri.indexOf('?');
        if (percent < 0 || (query >= 0 && percent > query)) {
            return true;
        }
        try {
            new QueryStringDecoder(uri).path();
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
