package io.realtime.gateway.engineio;

import java.util.Queue;

/**
 * How one session's packets travel (engine.io's {@code Transport}): long-polling or a WebSocket. The session decides
 * what is sent and when, and owns the heartbeat, the queue and the upgrade; a transport moves packets and reports what
 * arrives to its session. Everything here runs on the session's event loop, except where a method says otherwise.
 */
abstract sealed class Transport permits PollingTransport, WebSocketTransport {

    final EngineSession session;

    Transport(EngineSession session) {
        this.session = session;
    }

    /** This transport as netty-socketio names it (its {@code ClientHead} wants one). */
    abstract com.corundumstudio.socketio.Transport kind();

    /**
     * Whether packets given now reach the client at once (engine.io's {@code writable}): a WebSocket once its
     * handshake is answered, long-polling while a poll is waiting.
     */
    abstract boolean canSend();

    /** Sends every packet of the queue and empties it; only called when {@link #canSend()}. */
    abstract void send(Queue<EnginePacket> packets);

    /**
     * Writes a broadcast's frames, built once for many sessions, without flushing; {@code false} when this transport
     * cannot take them as they are (the session then queues the packets).
     */
    boolean writeShared(WebSocketFrames.Shared frames) {
        return false;
    }

    /** Flushes what {@link #writeShared} wrote. */
    void flushShared() {
    }

    /**
     * Whether a packet given now goes out without waiting in the session's queue (engine.io's {@code writable}, which
     * volatile packets need): a WebSocket unless its connection is backed up, long-polling only while a poll waits.
     * Readable from any thread.
     */
    boolean isWritable() {
        return true;
    }

    /** Whether binary packets go as base64 text here (long-polling), which the outbound limit counts as sent. */
    boolean sendsBinaryAsBase64() {
        return false;
    }

    /** Bytes written to the connection that the client has not taken yet, besides the session's own queue. */
    long pendingBytes() {
        return 0;
    }

    /**
     * The server closes the session (now {@code CLOSING}): the client is to get what is queued, then learn of the
     * close; the session ends at its next flush ({@link EngineSession#flush()}).
     */
    abstract void closeGracefully();

    /** Whether a client on this transport may probe a WebSocket and upgrade to it. */
    boolean canUpgrade() {
        return false;
    }

    /** A long-polling GET for this session. */
    void onPoll(HttpExchange exchange) {
        exchange.respondError(EngineIoError.BAD_REQUEST);
    }

    /** A long-polling POST for this session, with its body. */
    void onPost(HttpExchange exchange, byte[] body) {
        exchange.respondError(EngineIoError.BAD_REQUEST);
    }

    /** The session moved to another transport: anything still waiting here is released. */
    void discard() {
    }

    /** Drops the connection without a goodbye (a probe abandoned, a client that does not read). */
    void abort() {
    }

    /**
     * Ends this transport with its session.
     *
     * @param farewell what a waiting long-poll is answered with, or {@code null} for no answer
     */
    abstract void close(EnginePacket farewell);
}
