package io.realtime.gateway.engineio;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.realtime.gateway.http.HttpReply;

import java.nio.charset.StandardCharsets;

/**
 * What is needed to answer one HTTP request, possibly later (a long-poll is answered when data arrives): the
 * connection, whether it stays open afterwards, and the headers every answer carries (CORS).
 */
public record HttpExchange(Channel channel, boolean keepAlive, HttpHeaders commonHeaders) {

    public static HttpExchange of(Channel channel, HttpRequest request, CorsPolicy cors) {
        HttpHeaders headers = new DefaultHttpHeaders();
        cors.apply(request, headers);
        return new HttpExchange(channel, HttpUtil.isKeepAlive(request), headers);
    }

    public io.netty.channel.ChannelFuture respond(HttpResponseStatus status, String contentType, byte[] body) {
        return HttpReply.send(channel, keepAlive, commonHeaders, status, contentType, body);
    }

    public void respondText(HttpResponseStatus status, String contentType, String body) {
        respond(status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    public void respondError(EngineIoError error) {
        respondText(error.status(), "application/json", error.json());
    }

    /**
     * An error answer to a request not read whole (a body too large), after which the connection is closed once the
     * client stops sending.
     */
    public void refuseUnread(EngineIoError error) {
        HttpReply.refuseUnread(channel, commonHeaders, error.status(), "application/json",
                error.json().getBytes(StandardCharsets.UTF_8));
    }

    /** An error answer after which the connection is closed whatever the client asked (upgrade failures). */
    public void respondErrorAndClose(EngineIoError error) {
        new HttpExchange(channel, false, commonHeaders).respondError(error);
    }
}
