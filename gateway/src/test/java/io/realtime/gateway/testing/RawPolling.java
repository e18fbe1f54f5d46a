package io.realtime.gateway.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Long-polling requests made by hand, to see the exact bytes and statuses the server answers. */
public final class RawPolling {

    private static final Pattern SID = Pattern.compile("\"sid\":\"([^\"]+)\"");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Function<String, URI> uris;
    private final String eio;
    private String sid;

    public RawPolling(TestNode node, String eio) {
        this(node::uri, eio);
    }

    /** @param uris the URI of a path and query on the server's Socket.IO port */
    public RawPolling(Function<String, URI> uris, String eio) {
        this.uris = uris;
        this.eio = eio;
    }

    /** Performs the handshake; returns the body of the answer (the open packet and anything queued after it). */
    public String open() {
        HttpResponse<String> response = send("GET", "/socket.io/?EIO=" + eio + "&transport=polling", null);
        if (response.statusCode() != 200) {
            throw new AssertionError("handshake answered " + response.statusCode() + ": " + response.body());
        }
        Matcher matcher = SID.matcher(response.body());
        if (!matcher.find()) {
            throw new AssertionError("no sid in " + response.body());
        }
        sid = matcher.group(1);
        return response.body();
    }

    public String sid() {
        return sid;
    }

    public HttpResponse<String> poll() {
        return send("GET", path(), null);
    }

    public CompletableFuture<HttpResponse<String>> pollAsync() {
        return http.sendAsync(request("GET", path(), null), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    public HttpResponse<byte[]> pollBytes() {
        try {
            return http.send(request("GET", path(), null), HttpResponse.BodyHandlers.ofByteArray());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    public HttpResponse<String> post(String body) {
        return send("POST", path(), body);
    }

    public HttpResponse<String> send(String method, String pathAndQuery, String body) {
        try {
            return http.send(request(method, pathAndQuery, body), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private HttpRequest request(String method, String pathAndQuery, String body) {
        URI uri = uris.apply(pathAndQuery);
        HttpRequest.BodyPublisher publisher = body == null
                ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8);
        return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).method(method, publisher)
                .header("Content-Type", "text/plain;charset=UTF-8").build();
    }

    private String path() {
        return "/socket.io/?EIO=" + eio + "&transport=polling&sid=" + sid;
    }
}
