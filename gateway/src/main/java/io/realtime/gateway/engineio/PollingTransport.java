package io.realtime.gateway.engineio;

import io.realtime.gateway.stats.DisconnectReason;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.TimeUnit;

/**
 * Long-polling (engine.io's {@code transports/polling.ts}): a GET is held until there is something to send, a POST
 * carries the client's packets. Each request may come on another connection, even on another event loop; the
 * session hops them onto its own.
 */
final class PollingTransport extends Transport {

    private static final Logger log = LoggerFactory.getLogger(PollingTransport.class);

    private final boolean base64Only;
    private HttpExchange pendingPoll;
    /** The same as {@code pendingPoll != null}, for readers on other threads. */
    private volatile boolean pollPending;
    private ChannelFutureListener pendingPollWatcher;
    private ScheduledFuture<?> closeTimeout;
    /**
     * The bytes of the last answer that its connection has not taken yet. Until it has, no poll is answered: what
     * follows waits in the session's queue, where the outbound limit sees it, rather than in the send buffer of a
     * connection whose client polls again on another one and never reads the first.
     */
    private volatile long unwrittenAnswerBytes;
    /** The connection the last answer is still being written to (null once it has left). */
    private Channel unwrittenAnswerChannel;

    /** @param base64Only whether binary goes base64-encoded in text payloads (the client's {@code b64} parameter) */
    PollingTransport(EngineSession session, boolean base64Only) {
        super(session);
        this.base64Only = base64Only;
    }

    @Override
    com.corundumstudio.socketio.Transport kind() {
        return com.corundumstudio.socketio.Transport.POLLING;
    }

    /** Readable from any thread. */
    boolean hasPendingPoll() {
        return pollPending;
    }

    @Override
    boolean canSend() {
        return pendingPoll != null && unwrittenAnswerBytes == 0;
    }

    /**
     * engine.io's {@code writable} for long-polling: a poll is waiting and nothing has been answered on it (nor is the
     * last answer still leaving). Between polls a packet waits in the queue for the next one, which is no place for a
     * volatile packet: socket.io drops those then. Readable from any thread.
     */
    @Override
    boolean isWritable() {
        return pollPending && unwrittenAnswerBytes == 0;
    }

    /** Always in v4; in v3 for a client that asked for it ({@code b64}), the others get binary records. */
    @Override
    boolean sendsBinaryAsBase64() {
        return base64Only || session.version() == com.corundumstudio.socketio.protocol.EngineIOVersion.V4;
    }

    @Override
    long pendingBytes() {
        return unwrittenAnswerBytes;
    }

    @Override
    void send(Queue<EnginePacket> packets) {
        List<EnginePacket> payload = new ArrayList<>(packets);
        packets.clear();
        answer(payload);
    }

    @Override
    void closeGracefully() {
        // The connection is not ours to close: the client learns from a CLOSE packet, now or on its next poll.
        session.queue(EnginePacket.CLOSE);
        if (canSend()) {
            session.flush();
        } else {
            // A poll that came meanwhile (held behind an answer its client has not taken) gets the close packet.
            closeTimeout = session.eventLoop().schedule(() -> session.closeNow(session.closingReason(), EnginePacket.CLOSE),
                    session.options().pingTimeout().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @Override
    boolean canUpgrade() {
        return true;
    }

    @Override
    void onPoll(HttpExchange exchange) {
        if (pendingPoll != null) {
            log.debug("session {}: overlapping polls", session.id());
            exchange.respondError(EngineIoError.BAD_REQUEST);
            session.closeNow(DisconnectReason.TRANSPORT_ERROR, EnginePacket.CLOSE);
            return;
        }
        hold(exchange);
        session.onTransportReady();
    }

    @Override
    void onPost(HttpExchange exchange, byte[] body) {
        List<EnginePacket> packets;
        try {
            packets = PollingPayload.decode(body, session.version());
        } catch (EngineProtocolException e) {
            exchange.respondError(EngineIoError.BAD_REQUEST);
            session.dropForProtocolError("bad polling payload: " + e.getMessage());
            return;
        }
        for (EnginePacket packet : packets) {
            if (!session.isOpen()) {
                break;
            }
            session.receive(this, packet);
        }
        exchange.respondText(HttpResponseStatus.OK, "text/html", "ok");
    }

    @Override
    void discard() {
        if (pendingPoll != null) {
            answer(List.of(EnginePacket.NOOP));
        }
    }

    @Override
    void close(EnginePacket farewell) {
        if (closeTimeout != null) {
            closeTimeout.cancel(false);
        }
        if (pendingPoll != null) {
            HttpExchange poll = release();
            if (farewell != null) {
                respond(poll, List.of(farewell));
            } else {
                // No answer, and no request left waiting on its connection without a deadline.
                poll.channel().close();
            }
        }
    }

    /**
     * A client that does not read: the connection of its untaken answer goes (its waiting poll's went with the session,
     * in {@link #close} without a farewell).
     */
    @Override
    void abort() {
        if (unwrittenAnswerChannel != null) {
            unwrittenAnswerChannel.close();
        }
    }

    private void hold(HttpExchange exchange) {
        pendingPoll = exchange;
        pollPending = true;
        Channel channel = exchange.channel();
        pendingPollWatcher = closed -> session.execute(() -> onConnectionClosed(channel));
        channel.closeFuture().addListener(pendingPollWatcher);
    }

    private HttpExchange release() {
        HttpExchange poll = pendingPoll;
        pendingPoll = null;
        pollPending = false;
        poll.channel().closeFuture().removeListener(pendingPollWatcher);
        pendingPollWatcher = null;
        return poll;
    }

    /** A client that drops its waiting poll has gone (engine.io: "poll connection closed prematurely"). */
    private void onConnectionClosed(Channel channel) {
        if (pendingPoll != null && pendingPoll.channel() == channel) {
            release();
            session.onTransportClosed(this, DisconnectReason.TRANSPORT_ERROR);
        }
    }

    private void answer(List<EnginePacket> packets) {
        HttpExchange poll = release();
        PollingPayload.Body body = PollingPayload.encode(packets, session.version(), base64Only);
        io.netty.channel.ChannelFuture written = poll.respond(HttpResponseStatus.OK, body.contentType(), body.bytes());
        session.observer().bytesSent(body.bytes().length);
        if (!written.isDone()) {
            unwrittenAnswerBytes = body.bytes().length;
            unwrittenAnswerChannel = poll.channel();
            written.addListener(done -> session.execute(this::onAnswerWritten));
        }
    }

    /** The last answer left (or its connection failed): a poll waiting meanwhile can take what is queued. */
    private void onAnswerWritten() {
        unwrittenAnswerBytes = 0;
        unwrittenAnswerChannel = null;
        if (session.isCurrent(this)) {
            session.onTransportReady();
        }
    }

    private void respond(HttpExchange poll, List<EnginePacket> packets) {
        PollingPayload.Body body = PollingPayload.encode(packets, session.version(), base64Only);
        poll.respond(HttpResponseStatus.OK, body.contentType(), body.bytes());
    }
}
