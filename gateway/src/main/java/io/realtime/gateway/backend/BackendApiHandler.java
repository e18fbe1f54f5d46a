package io.realtime.gateway.backend;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.corundumstudio.socketio.SocketIOServer;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.realtime.cluster.ClusterUnavailableException;
import io.realtime.gateway.auth.Principal;
import io.realtime.gateway.broadcast.BroadcastTarget;
import io.realtime.gateway.broadcast.ServerPush;
import io.realtime.gateway.http.CrossSiteRequests;
import io.realtime.gateway.http.HttpReply;
import io.realtime.gateway.http.LoopbackHostNames;
import io.realtime.gateway.http.PathSegments;
import io.realtime.gateway.metrics.ApiMetrics;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The backend publish API: services push to clients with {@code POST /api/v1/notifications/{userId}},
 * {@code POST /api/v1/data} and {@code POST /api/v1/emit}. JSON in and out; 202 with a receipt, 400 for bad bodies,
 * 401 without a valid key (403 without API_KEY for a Host or Origin that does not name this machine), 404 and 405 for wrong routes and methods, 500 when serving fails unexpectedly.
 * Broadcasting never blocks, so requests are served on the event loop.
 */
@Sharable
final class BackendApiHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger log = LoggerFactory.getLogger(BackendApiHandler.class);
    private static final String PREFIX = "/api/v1/";
    private static final Set<String> RESERVED_EVENTS =
            Set.of("connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener");

    /** The route tag values of the request metric: a fixed set, whatever the path. */
    static final java.util.List<String> ROUTES = java.util.List.of("notifications", "data", "emit", "unknown");

    private final SocketIOServer server;
    private final ServerPush push;
    private final ObjectMapper mapper;
    /**
     * Refuses a body that names a field twice: JSON.parse and Jackson would keep the last value, so
     * {@code {"namespace":"/","namespace":"/chat"}} would go where a reader of its first line would not expect.
     */
    private final ObjectReader bodyReader;
    private final Validator validator;
    private final byte[] apiKey;
    private final ApiMetrics metrics;

    BackendApiHandler(SocketIOServer server, ServerPush push, ObjectMapper mapper, Validator validator, String apiKey,
                      ApiMetrics metrics) {
        this.metrics = metrics;
        this.server = server;
        this.push = push;
        this.mapper = mapper;
        this.bodyReader = mapper.reader().with(StreamReadFeature.STRICT_DUPLICATE_DETECTION);
        this.validator = validator;
        this.apiKey = apiKey == null ? null : apiKey.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        // Undecoded: a user id may hold an escaped '/' (UndecodablePathHandler already refused bad escapes).
        String path = new QueryStringDecoder(request.uri()).rawPath();
        long started = System.nanoTime();
        String route = routeName(path);
        HttpResponseStatus status = HttpResponseStatus.ACCEPTED;
        try {
            if (!path.startsWith(PREFIX)) {
                throw ApiException.of(ApiError.notFound("not_found", "no such route: " + path));
            }
            if (!isAllowed(ctx, request)) {
                throw ApiException.of(new ApiError(HttpResponseStatus.UNAUTHORIZED, "unauthorized",
                        apiKey == null ? "the API accepts loopback callers only, never a web page of another site"
                                + " (no API_KEY is configured)"
                                : "a valid 'Authorization: Bearer <API_KEY>' header is required"));
            }
            String notLoopback = apiKey == null ? LoopbackHostNames.whyNotLoopback(request) : null;
            if (notLoopback != null) {
                // A loopback caller, but maybe a browser's page whose own name was rebound to this machine.
                throw ApiException.of(new ApiError(HttpResponseStatus.FORBIDDEN, "forbidden", notLoopback));
            }
            Map<String, Object> receipt = route(path.substring(PREFIX.length()), request);
            respond(ctx, keepAlive, HttpResponseStatus.ACCEPTED, receipt);
        } catch (ApiException e) {
            status = e.error.status();
            respond(ctx, keepAlive, e.error);
        } catch (ClusterUnavailableException e) {
            // The node is stopping (its cluster closed before this port): another node takes the request.
            status = HttpResponseStatus.SERVICE_UNAVAILABLE;
            respond(ctx, keepAlive, new ApiError(status, "unavailable", e.getMessage()));
        } catch (RuntimeException e) {
            // A bug met by one request: its caller gets an answer rather than a closed connection, the metric shows
            // the failure, and the connection and the node serve on. The route, not the path, which names a user.
            log.error("backend API: a {} request to {} failed", request.method(), route, e);
            status = HttpResponseStatus.INTERNAL_SERVER_ERROR;
            respond(ctx, keepAlive, ApiError.internal());
        }
        metrics.record(route, status.code(), System.nanoTime() - started);
    }

    /** The route as a metric tag: one of {@link #ROUTES}. */
    static String routeName(String path) {
        if (path.startsWith(PREFIX + "notifications/")) {
            return "notifications";
        }
        return switch (path) {
            case PREFIX + "data" -> "data";
            case PREFIX + "emit" -> "emit";
            default -> "unknown";
        };
    }

    /** The route tag of a request answered before this handler (by the aggregator, or for its path's escapes). */
    static String routeName(io.netty.handler.codec.http.HttpMessage message) {
        return message instanceof io.netty.handler.codec.http.HttpRequest request
                ? routeName(new QueryStringDecoder(request.uri()).rawPath()) : "unknown";
    }

    private Map<String, Object> route(String route, FullHttpRequest request) {
        String[] parts = route.split("/", -1);
        boolean known = (parts.length == 2 && parts[0].equals("notifications"))
                || route.equals("data") || route.equals("emit");
        if (!known) {
            throw ApiException.of(ApiError.notFound("not_found", "no such route: " + PREFIX + route));
        }
        if (!HttpMethod.POST.equals(request.method())) {
            throw ApiException.of(new ApiError(HttpResponseStatus.METHOD_NOT_ALLOWED, "method_not_allowed", "use POST"));
        }
        JsonNode body = body(request);
        if (parts[0].equals("notifications")) {
            String userId = PathSegments.decode(parts[1]);
            if (userId.isEmpty() || userId.length() > Principal.MAX_USER_ID_LENGTH) {
                throw ApiException.of(ApiError.badRequest("userId must be 1 to " + Principal.MAX_USER_ID_LENGTH + " characters"));
            }
            return receipt(push.notifyUser(userId, body), ServerPush.NOTIFICATION);
        }
        if (route.equals("data")) {
            return receipt(push.dataUpdated(body), ServerPush.DATA_UPDATED);
        }
        return emit(body);
    }

    private Map<String, Object> emit(JsonNode body) {
        EmitRequest request;
        try {
            request = mapper.treeToValue(body, EmitRequest.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw ApiException.of(ApiError.badRequest("expected {namespace, rooms?, except?, event, data}"));
        }
        if (request == null) {
            throw ApiException.of(ApiError.badRequest("expected {namespace, rooms?, except?, event, data}, not null"));
        }
        Set<ConstraintViolation<EmitRequest>> violations = validator.validate(request);
        if (!violations.isEmpty()) {
            throw ApiException.of(ApiError.badRequest(violations.stream()
                    .map(v -> v.getPropertyPath() + " " + v.getMessage()).sorted().collect(Collectors.joining("; "))));
        }
        if (RESERVED_EVENTS.contains(request.event())) {
            throw ApiException.of(ApiError.badRequest("event '" + request.event() + "' is reserved by Socket.IO"));
        }
        if (server.getNamespace(request.namespace()) == null) {
            throw ApiException.of(ApiError.notFound("unknown_namespace", "no namespace " + request.namespace()));
        }
        BroadcastTarget target = new BroadcastTarget(request.namespace(), new LinkedHashSet<>(request.roomsOrEmpty()),
                new LinkedHashSet<>(request.exceptOrEmpty()), null);
        return receipt(request.data() == null ? push.emit(target, request.event()) : push.emit(target, request.event(), request.data()),
                request.event());
    }

    private static Map<String, Object> receipt(BroadcastTarget target, String event) {
        Map<String, Object> receipt = new LinkedHashMap<>();
        receipt.put("accepted", true);
        receipt.put("id", UUID.randomUUID().toString());
        receipt.put("namespace", target.namespace());
        receipt.put("event", event);
        return receipt;
    }

    private JsonNode body(FullHttpRequest request) {
        if (!request.content().isReadable()) {
            throw ApiException.of(ApiError.badRequest("a JSON body is required"));
        }
        JsonNode body;
        try {
            body = bodyReader.readTree(request.content().toString(StandardCharsets.UTF_8));
        } catch (StreamReadException e) {
            String problem = e.getOriginalMessage();
            throw ApiException.of(ApiError.badRequest(problem != null && problem.startsWith("Duplicate field")
                    ? "the body is not valid JSON: d" + problem.substring(1) : "the body is not valid JSON"));
        } catch (JsonProcessingException e) {
            throw ApiException.of(ApiError.badRequest("the body is not valid JSON"));
        }
        // Whitespace only: Jackson reads no value at all.
        if (body == null || body.isMissingNode()) {
            throw ApiException.of(ApiError.badRequest("a JSON body is required"));
        }
        return body;
    }

    private boolean isAllowed(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (apiKey == null) {
            // A page of any site open in a browser on this machine is a loopback caller too.
            return ctx.channel().remoteAddress() instanceof InetSocketAddress address && address.getAddress().isLoopbackAddress()
                    && !CrossSiteRequests.isCrossSite(request);
        }
        String header = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return MessageDigest.isEqual(apiKey, header.substring(7).trim().getBytes(StandardCharsets.UTF_8));
    }

    private void respond(ChannelHandlerContext ctx, boolean keepAlive, ApiError error) {
        send(ctx, keepAlive, error.status(), error.json());
    }

    private void respond(ChannelHandlerContext ctx, boolean keepAlive, HttpResponseStatus status, Map<String, Object> body) {
        try {
            send(ctx, keepAlive, status, mapper.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void send(ChannelHandlerContext ctx, boolean keepAlive, HttpResponseStatus status, byte[] json) {
        HttpReply reply = HttpReply.to(ctx.channel(), keepAlive);
        if (status == HttpResponseStatus.UNAUTHORIZED) {
            reply.header(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
        }
        if (status == HttpResponseStatus.METHOD_NOT_ALLOWED) {
            reply.header(HttpHeaderNames.ALLOW, "POST");
        }
        reply.send(status, "application/json", json);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("backend API connection failed: {}", cause.toString());
        ctx.close();
    }

    /** Carries an {@link ApiError} out of the routing code; no stack trace, it is an answer. */
    static final class ApiException extends RuntimeException {
        final ApiError error;

        private ApiException(ApiError error) {
            super(error.message(), null, false, false);
            this.error = error;
        }

        static ApiException of(ApiError error) {
            return new ApiException(error);
        }
    }
}
