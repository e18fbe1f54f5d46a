package io.realtime.gateway.admission;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.realtime.gateway.engineio.EngineRequest;
import io.realtime.gateway.stats.TrafficObserver;

/**
 * The front door of the Engine.IO pipeline (Netty's {@code ipfilter} style): a well-formed handshake that
 * {@link Admission} refuses is answered here (503 draining or {@code server_full}, 429) and counted; everything else
 * goes on. Malformed handshakes pass, so that the Engine.IO handler answers them with engine.io's own errors.
 * A refused WebSocket handshake's connection is closed after the answer ({@link EngineRequest#respondError}).
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
                    request.respondError(refusal.answer());
                } finally {
                    request.release();
                }
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }
}
