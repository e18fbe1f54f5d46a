package io.realtime.gateway.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpStatusClass;

import java.util.ArrayDeque;
import java.util.List;

/**
 * The request decoder and response encoder of one connection, as two handlers (a WebSocket handshake puts its frame
 * codec in each one's place), that know which answers are a HEAD's, as Netty's {@code HttpServerCodec} does: the
 * encoder writes a HEAD's answer without its body, its headers ({@code Content-Length} included) being the GET's,
 * whichever handler wrote it. A body after them would be read by the client as the start of the next response.
 *
 * <p>Answers go out in the order of their requests (HTTP/1.1). The encoder keeps whether each request not answered
 * yet is a HEAD in the bits of a long, allocating nothing unless a client pipelines more than 64 requests; both
 * handlers go at a WebSocket upgrade, with what they kept.
 */
public final class HeadAwareHttpCodec {

    private HeadAwareHttpCodec() {
    }

    /** The encoder of a connection; its decoder is {@link #decoder}. */
    public static Encoder encoder() {
        return new Encoder();
    }

    /** The decoder of the connection whose answers {@code encoder} writes. */
    public static HttpRequestDecoder decoder(HttpDecoderConfig config, Encoder encoder) {
        return new Decoder(config, encoder);
    }

    /** Writes the answers, a HEAD's without its body. */
    public static final class Encoder extends HttpResponseEncoder {

        private static final int BITS = Long.SIZE;

        /** Whether each request not answered yet is a HEAD, the oldest in the lowest bit; the first 64 only. */
        private long heads;
        private int inBits;
        /** The requests after the first 64 not answered yet, oldest first; made only for them. */
        private ArrayDeque<Boolean> more;

        private Encoder() {
        }

        void requested(boolean head) {
            if (inBits < BITS) {
                if (head) {
                    heads |= 1L << inBits;
                }
                inBits++;
            } else {
                if (more == null) {
                    more = new ArrayDeque<>();
                }
                more.add(head);
            }
        }

        /** Whether the oldest request not answered yet is a HEAD; it is then answered. */
        private boolean answered() {
            if (inBits == 0) {
                return false;
            }
            boolean head = (heads & 1L) != 0;
            heads >>>= 1;
            inBits--;
            if (more != null && !more.isEmpty()) {
                if (more.poll()) {
                    heads |= 1L << inBits;
                }
                inBits++;
            }
            return head;
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpResponse response) {
            // An interim answer (100 Continue, 101) answers no request yet.
            if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                return super.isContentAlwaysEmpty(response);
            }
            return answered() || super.isContentAlwaysEmpty(response);
        }
    }

    private static final class Decoder extends HttpRequestDecoder {

        private final Encoder encoder;

        Decoder(HttpDecoderConfig config, Encoder encoder) {
            super(config);
            this.encoder = encoder;
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
            int before = out.size();
            super.decode(ctx, buffer, out);
            for (int i = before; i < out.size(); i++) {
                if (out.get(i) instanceof HttpRequest request) {
                    encoder.requested(HttpMethod.HEAD.equals(request.method()));
                }
            }
        }
    }
}
