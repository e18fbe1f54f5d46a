package io.realtime.gateway.engineio;

import com.corundumstudio.socketio.protocol.EngineIOVersion;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.util.ReferenceCounted;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * An HTTP request to the Engine.IO path, read once by {@link EngineRequestDecoder} for the handlers behind it
 * (admission, then {@link EngineIoHttpHandler}): its query, the answer's common headers and, when the request is
 * not one Engine.IO accepts, the error to answer. Holds the request: whoever consumes this releases it.
 */
public final class EngineRequest implements ReferenceCounted {

    /** ws's test of {@code Sec-WebSocket-Key}: 16 bytes in base64. */
    private static final Pattern WEBSOCKET_KEY = Pattern.compile("^[+/0-9A-Za-z]{22}==$");

    private final FullHttpRequest http;
    private final Map<String, List<String>> params;
    private final HttpExchange exchange;
    private final InetAddress remoteAddress;
    private final EngineIOVersion version;
    private final EngineIoError problem;

    EngineRequest(FullHttpRequest http, Map<String, List<String>> params, HttpExchange exchange,
                  InetAddress remoteAddress, EngineOptions options) {
        this.http = http;
        this.params = params;
        this.exchange = exchange;
        this.remoteAddress = remoteAddress;
        this.version = protocolVersion(param("EIO"), options.allowEIO3());
        this.problem = problem(options);
    }

    /** The first refusal Node's engine.io would answer, in its order; {@code null} for a request it accepts. */
    private EngineIoError problem(EngineOptions options) {
        if (isPreflight()) {
            return null;
        }
        String transport = param("transport");
        if (transport == null || !options.allows(transport)) {
            return EngineIoError.UNKNOWN_TRANSPORT;
        }
        if (!isHandshake()) {
            return null;
        }
        if (!HttpMethod.GET.equals(http.method())) {
            return EngineIoError.BAD_HANDSHAKE_METHOD;
        }
        if (version == null) {
            return EngineIoError.UNSUPPORTED_PROTOCOL_VERSION;
        }
        if (isWebSocket() && !isWebSocketUpgrade()) {
            return EngineIoError.BAD_REQUEST;
        }
        return null;
    }

    private static EngineIOVersion protocolVersion(String eio, boolean allowEIO3) {
        if ("4".equals(eio)) {
            return EngineIOVersion.V4;
        }
        return "3".equals(eio) && allowEIO3 ? EngineIOVersion.V3 : null;
    }

    public FullHttpRequest http() {
        return http;
    }

    public Map<String, List<String>> params() {
        return params;
    }

    /** The first value of a query parameter, or {@code null}. */
    public String param(String name) {
        List<String> values = params.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** Answers this request, with the CORS headers of the server. */
    public HttpExchange exchange() {
        return exchange;
    }

    /**
     * Answers this request with {@code error} instead of serving it: an upgrade (a request with an {@code Upgrade}
     * header and {@code Connection: upgrade}, which Node's HTTP server hands to engine.io as one) with {@code
     * Connection: close}, its connection
     * closed after the answer, as engine.io's {@code abortUpgrade} (the client asked to leave HTTP: nothing more is
     * read from it); any other keeps its keep-alive, as engine.io's {@code abortRequest}.
     */
    public void respondError(EngineIoError error) {
        if (http.headers().contains(HttpHeaderNames.UPGRADE)
                && http.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)) {
            exchange.respondErrorAndClose(error);
        } else {
            exchange.respondError(error);
        }
    }

    public InetAddress remoteAddress() {
        return remoteAddress;
    }

    /** The Engine.IO version a handshake asks for ({@code null}: none this server speaks). */
    public EngineIOVersion version() {
        return version;
    }

    /** What this request is answered with instead of being served, or {@code null}. */
    public EngineIoError problem() {
        return problem;
    }

    public boolean isPreflight() {
        return HttpMethod.OPTIONS.equals(http.method());
    }

    /** A request that opens a session (it has no {@code sid}). */
    public boolean isHandshake() {
        return !isPreflight() && param("sid") == null;
    }

    /** A handshake that only admission may still refuse: well formed, for a version and transport served here. */
    public boolean isAdmissible() {
        return isHandshake() && problem == null;
    }

    public boolean isWebSocket() {
        return EngineOptions.WEBSOCKET.equals(param("transport"));
    }

    /**
     * A WebSocket opening handshake as ws accepts it: GET, {@code Upgrade: websocket}, {@code Connection: upgrade}, a
     * 16-byte key in base64 and protocol version 8 or 13. Anything else is answered 400 before a session exists.
     */
    boolean isWebSocketUpgrade() {
        String key = http.headers().get(HttpHeaderNames.SEC_WEBSOCKET_KEY);
        String version = http.headers().get(HttpHeaderNames.SEC_WEBSOCKET_VERSION);
        return HttpMethod.GET.equals(http.method())
                && http.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)
                && http.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)
                && key != null && WEBSOCKET_KEY.matcher(key.trim()).matches()
                && ("13".equals(version) || "8".equals(version));
    }

    @Override
    public int refCnt() {
        return http.refCnt();
    }

    @Override
    public EngineRequest retain() {
        http.retain();
        return this;
    }

    @Override
    public EngineRequest retain(int increment) {
        http.retain(increment);
        return this;
    }

    @Override
    public EngineRequest touch() {
        http.touch();
        return this;
    }

    @Override
    public EngineRequest touch(Object hint) {
        http.touch(hint);
        return this;
    }

    @Override
    public boolean release() {
        return http.release();
    }

    @Override
    public boolean release(int decrement) {
        return http.release(decrement);
    }

    @Override
    public String toString() {
        return "EngineRequest[" + http.method() + " " + http.uri() + "]";
    }
}
