package io.realtime.gateway.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.realtime.gateway.auth.Principal;
import io.realtime.gateway.broadcast.ServerPush;
import io.realtime.gateway.engineio.ClientAddress;
import io.realtime.gateway.http.CrossSiteRequests;
import io.realtime.gateway.http.HttpReply;
import io.realtime.gateway.http.LoopbackHostNames;
import io.realtime.gateway.http.PathSegments;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The live demo on the Socket.IO port: the page and its assets (classpath {@code public/}, with the official
 * socket.io-client browser bundle vendored at build time), and {@code POST /demo/notifications/{userId}}, which sends
 * a notification the way the backend API does, accepted only when the API would accept this caller (no
 * {@code API_KEY}, a loopback caller, and a {@code Host} naming this machine). Sits before the 404 handler; anything else goes on.
 */
@Sharable
public final class DemoPage extends ChannelInboundHandlerAdapter {

    public static final String NAME = "demoPage";
    private static final String NOTIFY_PREFIX = "/demo/notifications/";
    private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8", "map", "application/json");

    private final ServerPush push;
    private final ObjectMapper mapper;
    private final boolean notificationsOpen;
    private final Map<String, byte[]> assets = new java.util.concurrent.ConcurrentHashMap<>();

    /** @param notificationsOpen whether the backend API accepts loopback callers without a key (no {@code API_KEY}) */
    public DemoPage(ServerPush push, ObjectMapper mapper, boolean notificationsOpen) {
        this.push = push;
        this.mapper = mapper;
        this.notificationsOpen = notificationsOpen;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws IOException {
        if (!(msg instanceof FullHttpRequest request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        String path = uri.path();
        HttpReply exchange = HttpReply.to(ctx.channel(), request);
        // Matched and cut on the raw path alone, as the API routes: the decoded one is longer where the raw path has
        // escapes ("/%64emo/notifications/bob" named user "s/bob"), and an escaped '/' belongs to the user id.
        String rawPath = uri.rawPath();
        if (rawPath.startsWith(NOTIFY_PREFIX) && HttpMethod.POST.equals(request.method())) {
            String encodedUser = rawPath.substring(NOTIFY_PREFIX.length());
            if (encodedUser.indexOf('/') >= 0) {
                // More than one segment: no such route, as the API answers (404, by the handlers after this one).
                ctx.fireChannelRead(msg);
                return;
            }
            try {
                notify(ctx, request, encodedUser, exchange);
            } finally {
                request.release();
            }
            return;
        }
        String resource = path.equals("/") ? "index.html" : path.substring(1);
        boolean read = HttpMethod.GET.equals(request.method()) || HttpMethod.HEAD.equals(request.method());
        byte[] body = read && resource.matches("[a-z]+(/[a-z.]+)?\\.(html|js|css|map)")
                ? asset(resource) : null;
        if (body == null) {
            ctx.fireChannelRead(msg);
            return;
        }
        request.release();
        exchange.header(HttpHeaderNames.CACHE_CONTROL, "no-cache").header("X-Content-Type-Options", "nosniff")
                .send(HttpResponseStatus.OK, TYPES.get(resource.substring(resource.lastIndexOf('.') + 1)), body);
    }

    private void notify(ChannelHandlerContext ctx, FullHttpRequest request, String encodedUser, HttpReply exchange) {
        // The client's address, not a balancer's on this machine; and not a page of another site in a local browser.
        java.net.InetSocketAddress client = ClientAddress.of(ctx.channel());
        boolean loopback = client != null && client.getAddress() != null && client.getAddress().isLoopbackAddress();
        if (!notificationsOpen || !loopback || CrossSiteRequests.isCrossSite(request)) {
            error(exchange, HttpResponseStatus.FORBIDDEN, "forbidden", "the backend API does not accept this caller without its key");
            return;
        }
        // Forwarding headers are expected where a trusted proxy named the client (and said it is on loopback).
        boolean forwardedByTrustedProxy = ctx.channel().hasAttr(ClientAddress.OF_REQUEST)
                && ctx.channel().attr(ClientAddress.OF_REQUEST).get() != null;
        String notLoopback = forwardedByTrustedProxy
                ? LoopbackHostNames.whyNotLoopbackName(request) : LoopbackHostNames.whyNotLoopback(request);
        if (notLoopback != null) {
            // A page whose own name was rebound to this machine (DNS rebinding) is same-origin with itself.
            error(exchange, HttpResponseStatus.FORBIDDEN, "forbidden", notLoopback);
            return;
        }
        String userId = PathSegments.decode(encodedUser);
        JsonNode body;
        try {
            body = mapper.readTree(request.content().toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            body = null;
        }
        if (userId.isEmpty() || userId.length() > Principal.MAX_USER_ID_LENGTH || body == null || !body.isObject()) {
            error(exchange, HttpResponseStatus.BAD_REQUEST, "bad_request", "expected a user id and a JSON object");
            return;
        }
        push.notifyUser(userId, body);
        exchange.sendJson(HttpResponseStatus.ACCEPTED, "{\"accepted\":true}");
    }

    private void error(HttpReply exchange, HttpResponseStatus status, String code, String message) {
        try {
            exchange.send(status, "application/json",
                    mapper.writeValueAsBytes(Map.of("error", Map.of("code", code, "message", message))));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The asset's bytes, read from the jar once: reading and inflating it on the event loop at every request would
     * hold up the connections it serves. Only assets that exist are kept (their set is the jar's), not misses.
     */
    private byte[] asset(String resource) throws IOException {
        byte[] body = assets.get(resource);
        if (body == null) {
            body = load("public/" + resource);
            if (body != null) {
                assets.putIfAbsent(resource, body);
            }
        }
        return body;
    }

    private static byte[] load(String resource) throws IOException {
        try (InputStream in = DemoPage.class.getClassLoader().getResourceAsStream(resource)) {
            return in == null ? null : in.readAllBytes();
        }
    }
}
