package io.realtime.gateway.server;

import io.netty.channel.ChannelPipeline;
import io.realtime.gateway.admission.AdmissionHandler;
import io.realtime.gateway.admission.ForwardedHeadersHandler;
import io.realtime.gateway.admission.OriginHandler;
import io.realtime.gateway.engineio.EngineRequestDecoder;
import io.realtime.gateway.http.UndecodablePathHandler;
import io.realtime.gateway.limits.UndecodableRequestHandler;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;

/**
 * Takes the handlers that act on HTTP requests only out of a connection's pipeline once it carries a WebSocket:
 * the answer to a request the decoder gave up on, the undecodable path's 400, the forwarded headers, the Engine.IO
 * request decoder, the origin check, admission, the node's other HTTP handlers (demo page, Admin UI page) and the
 * 404. No request comes over a WebSocket, and each of them would cost the connection a handler context (64 bytes) for as long as it lives: about 400 bytes of
 * an idle connection's heap. Netty's handshaker has already removed the HTTP decoder, aggregator and
 * encoder, and the request clock removes itself at the 101; the WebSocket codec, its aggregator and the frame
 * handler (the last one, which handles errors and lets one Close frame out) stay, with TLS and the PROXY protocol in front.
 */
final class HttpOnlyHandlers implements Consumer<ChannelPipeline> {

    private final List<String> names;

    /** @param otherHttpHandlers the names of the node's other HTTP handlers ({@code GatewayServer.addHttpHandler}) */
    HttpOnlyHandlers(Collection<String> otherHttpHandlers) {
        List<String> all = new ArrayList<>(List.of(UndecodableRequestHandler.NAME, UndecodablePathHandler.NAME,
                ForwardedHeadersHandler.NAME, EngineRequestDecoder.NAME, OriginHandler.NAME, AdmissionHandler.NAME));
        all.addAll(otherHttpHandlers);
        all.add(NotFoundHandler.NAME);
        this.names = List.copyOf(all);
    }

    /** On the connection's event loop, once the WebSocket handshake has been answered. */
    @Override
    public void accept(ChannelPipeline pipeline) {
        for (String name : names) {
            if (pipeline.context(name) != null) {
                pipeline.remove(name);
            }
        }
    }
}
