package io.realtime.gateway.admission;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.realtime.gateway.engineio.EngineIoError;
import io.realtime.gateway.engineio.EngineRequest;
import io.realtime.gateway.stats.TrafficObserver;

/**
 * The front door of the Engine.IO pipeline (Netty's {@code ipfilter} style): a well-formed handshake that
 * {@link Admission} refuses is answered here (503 draining or {@code server_full}, 429) and counted; everything else
 * goes on. Malformed handshakes pass, so that the Engine.IO handler answers them with engine.io's own errors.
 * A refused WebSocket handshake's connection is closed after the answer ({@link #refuse}).
 */
@Sharable
public final class AdmissionHandler extends ChannelInboundHandlerAdapter {

    public static final String NAME = "admission";

    private final Admission admission;
    private final TrafficObserver observer;

    public AdmissionHandler(Admission admission, TrafficObserver observer) {
        this.admission = admission;
        this.observer = observer;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof EngineRequest request && request.isAdmissible()) {
            Refusal refusal = admission.check(request.remoteAddress());
            if (refusal != null) {
                try {
                    observer.refused(refusal.reason());
                    refuse(request, refusal.answer());
                } finally {
                    request.release();
                }
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    /**
     * Answers a refused request: a WebSocket handshake with {@code Connection: close}, its connection closed after
     * the answer, as Node's {@code abortUpgrade} does (the client asked to leave HTTP, so nothing more is read from
     * it); an HTTP one keeps its keep-alive.
     */
    static void refuse(EngineRequest request, EngineIoError answer) {
        if (request.isWebSocket()) {
            request.exchange().respondErrorAndClose(answer);
        } else {
            request.exchange().respondError(answer);
        }
    }
}
