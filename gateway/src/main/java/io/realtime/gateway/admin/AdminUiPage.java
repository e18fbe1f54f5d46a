package io.realtime.gateway.admin;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.realtime.gateway.http.HttpReply;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The built Admin UI ({@code @socket.io/admin-ui}'s {@code ui/dist}, MIT, taken from npm at build time into
 * classpath {@code public/admin-ui/}) under {@code /admin-ui/}. Its page loads Roboto and the Material Design Icons
 * from Google's and jsDelivr's hosts; those links are pointed at copies from npm ({@code @fontsource/roboto},
 * {@code @mdi/font}) served from the same place, so the UI works offline. The page also pre-fills the UI's
 * advanced connection options with this node's Socket.IO path and admin namespace unless the user chose others.
 * Files are read once and kept in memory.
 */
@Sharable
final class AdminUiPage extends ChannelInboundHandlerAdapter {

    static final String NAME = "adminUiPage";
    static final String PREFIX = "/admin-ui/";
    private static final String ROOT = "public/admin-ui/";
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_\\-]+(/[A-Za-z0-9_\\-]+)*(\\.[A-Za-z0-9]+)+");
    private static final Map<String, String> TYPES = Map.ofEntries(Map.entry("html", "text/html; charset=utf-8"),
            Map.entry("js", "text/javascript; charset=utf-8"), Map.entry("css", "text/css; charset=utf-8"),
            Map.entry("map", "application/json"), Map.entry("svg", "image/svg+xml"), Map.entry("png", "image/png"),
            Map.entry("woff2", "font/woff2"), Map.entry("woff", "font/woff"), Map.entry("ttf", "font/ttf"),
            Map.entry("eot", "application/vnd.ms-fontobject"));

    private final String namespace;
    private final String path;
    /** The files found, by name; never the names asked for that do not exist (anyone may ask for any number of those). */
    private final Map<String, byte[]> cache = new ConcurrentHashMap<>();

    /** @param enginePath the Socket.IO path ({@code /socket.io/}) the UI must connect to */
    AdminUiPage(String namespace, String enginePath) {
        this.namespace = namespace;
        this.path = enginePath.endsWith("/") ? enginePath.substring(0, enginePath.length() - 1) : enginePath;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        String requestPath = new QueryStringDecoder(request.uri()).path();
        if (!requestPath.equals("/admin-ui") && !requestPath.startsWith(PREFIX)) {
            ctx.fireChannelRead(msg);
            return;
        }
        HttpReply reply = HttpReply.to(ctx.channel(), request).header("X-Content-Type-Options", "nosniff");
        HttpMethod method = request.method();
        request.release();
        if (!HttpMethod.GET.equals(method) && !HttpMethod.HEAD.equals(method)) {
            sendText(reply, HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed");
            return;
        }
        if (requestPath.equals("/admin-ui")) {
            sendText(reply.header(HttpHeaderNames.LOCATION, PREFIX), HttpResponseStatus.MOVED_PERMANENTLY, PREFIX);
            return;
        }
        String resource = requestPath.length() == PREFIX.length() ? "index.html" : requestPath.substring(PREFIX.length());
        Optional<byte[]> body = SAFE.matcher(resource).matches() ? cached(resource) : Optional.empty();
        if (body.isEmpty()) {
            sendText(reply, HttpResponseStatus.NOT_FOUND, "not found");
            return;
        }
        String extension = resource.substring(resource.lastIndexOf('.') + 1);
        // Built file names carry a content hash; the page and the vendored fonts' names do not change, so revalidate them.
        reply.header(HttpHeaderNames.CACHE_CONTROL,
                resource.matches(".*\\.[0-9a-f]{8}\\.(js|css|svg)") ? "public, max-age=31536000, immutable" : "no-cache");
        reply.send(HttpResponseStatus.OK, TYPES.getOrDefault(extension, "application/octet-stream"), body.get());
    }

    private static void sendText(HttpReply reply, HttpResponseStatus status, String text) {
        reply.send(status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }

    private Optional<byte[]> cached(String resource) {
        byte[] known = cache.get(resource);
        if (known != null) {
            return Optional.of(known);
        }
        Optional<byte[]> loaded = load(resource);
        loaded.ifPresent(bytes -> cache.putIfAbsent(resource, bytes));
        return loaded;
    }

    /** Package-private for tests: how many files are cached. */
    int cachedFiles() {
        return cache.size();
    }

    private Optional<byte[]> load(String resource) {
        try (InputStream in = AdminUiPage.class.getClassLoader().getResourceAsStream(ROOT + resource)) {
            if (in == null) {
                return Optional.empty();
            }
            byte[] bytes = in.readAllBytes();
            return Optional.of(resource.equals("index.html") ? offlineIndex(new String(bytes, StandardCharsets.UTF_8)) : bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private byte[] offlineIndex(String html) {
        // Not the server URL: with one stored, the UI connects at once without credentials and greets a first
        // visitor with "invalid credentials".
        String defaults = "<script>(function(){var d={path:" + jsString(path) + ",namespace:"
                + jsString(namespace) + "};for(var k in d){if(!localStorage.getItem(k)){localStorage.setItem(k,d[k]);}}})();</script>";
        return html
                .replaceAll("https://fonts\\.googleapis\\.com/css\\?family=Roboto[^\"]*", "vendor/roboto/roboto.css")
                .replaceAll("https://cdn\\.jsdelivr\\.net/npm/@mdi/font@[^/]+/css/materialdesignicons\\.min\\.css",
                        "vendor/mdi/css/materialdesignicons.min.css")
                .replace("<title>", defaults + "<title>")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static String jsString(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"").replace("<", "\\u003c") + "\"";
    }
}
