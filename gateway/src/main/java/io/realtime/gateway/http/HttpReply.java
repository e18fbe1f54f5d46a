package io.realtime.gateway.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

import java.nio.charset.StandardCharsets;

/**
 * The answer to one plain HTTP request (the internal port, the demo page, the Admin UI's page, the 404): a full
 * response with the extra headers set here, keeping the connection open when the client asked to, and without its
 * body when the request was a HEAD. Engine.IO's exchanges
 * ({@code engineio.HttpExchange}, which answer later and carry CORS) write through {@link #send(Channel, boolean,
 * HttpHeaders, HttpResponseStatus, String, byte[])} too.
 */
public final class HttpReply {

    private final Channel channel;
    private final boolean keepAlive;
    /** False for the answer to a HEAD: its headers are the GET's, {@code Content-Length} included, and no body follows. */
    private final boolean withBody;
    private final HttpHeaders headers = new DefaultHttpHeaders();

    private HttpReply(Channel channel, boolean keepAlive, boolean withBody) {
        this.channel = channel;
        this.keepAlive = keepAlive;
        this.withBody = withBody;
    }

    /** The answer to {@code request}; without a body when it is a HEAD. */
    public static HttpReply to(Channel channel, HttpRequest request) {
        return new HttpReply(channel, HttpUtil.isKeepAlive(request), !HttpMethod.HEAD.equals(request.method()));
    }

    public static HttpReply to(Channel channel, boolean keepAlive) {
        return new HttpReply(channel, keepAlive, true);
    }

    /** Sets a header of the answer. */
    public HttpReply header(CharSequence name, Object value) {
        headers.set(name, value);
        return this;
    }

    public void send(HttpResponseStatus status, String contentType, byte[] body) {
        send(channel, keepAlive, headers, status, contentType, body, withBody, ChannelFutureListener.CLOSE);
    }

    /**
     * Writes one full response with {@code extraHeaders}, keeping the connection open when {@code keepAlive}: the one
     * way every HTTP answer of the node is written (Engine.IO's long-polls too, which answer later). The future
     * completes once the response is handed to the connection's socket, or fails with the connection.
     */
    public static io.netty.channel.ChannelFuture send(Channel channel, boolean keepAlive, HttpHeaders extraHeaders,
                                                      HttpResponseStatus status, String contentType, byte[] body) {
        return send(channel, keepAlive, extraHeaders, status, contentType, body, true, ChannelFutureListener.CLOSE);
    }

    /**
     * An answer sent before the request was read whole (a body too large): the connection is closed after it, once
     * the client stops sending ({@link LingeringClose}), so that it reads the answer rather than a reset.
     */
    public static io.netty.channel.ChannelFuture refuseUnread(Channel channel, HttpHeaders extraHeaders,
                                                              HttpResponseStatus status, String contentType, byte[] body) {
        return send(channel, false, extraHeaders, status, contentType, body, true, LingeringClose.AFTER_ANSWER);
    }

    /**
     * As {@link #send(Channel, boolean, HttpHeaders, HttpResponseStatus, String, byte[])}; without the body when
     * {@code withBody} is false (the answer to a HEAD: the GET's headers, its {@code Content-Length} included). A
     * body after a HEAD's headers would be read by the client as the start of the next response on the connection;
     * the ports' encoders drop it by themselves too ({@link HeadAwareHttpCodec}, Netty's {@code HttpServerCodec}).
     */
    private static io.netty.channel.ChannelFuture send(Channel channel, boolean keepAlive, HttpHeaders extraHeaders,
                                                      HttpResponseStatus status, String contentType, byte[] body,
                                                      boolean withBody, ChannelFutureListener closing) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                withBody ? Unpooled.wrappedBuffer(body) : Unpooled.EMPTY_BUFFER);
        response.headers().add(extraHeaders);
        if (contentType != null) {
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        }
        HttpUtil.setContentLength(response, body.length);
        response.headers().set(HttpHeaderNames.CONNECTION, keepAlive ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
        io.netty.channel.ChannelFuture written = channel.writeAndFlush(response);
        if (!keepAlive) {
            written.addListener(closing);
        }
        return written;
    }

    public void sendJson(HttpResponseStatus status, String json) {
        send(status, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }
}
