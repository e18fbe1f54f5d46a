package io.realtime.gateway.socketio;

/**
 * An ack the node asked of a client, which the socket that asked it can give up on when it ends while its
 * connection goes on (the client left the namespace): its caller hears a timeout, counted as abandoned rather than as
 * the client's failure to answer, and an answer arriving later is ignored. The connection relies on that last part to
 * take it out of netty-socketio's acks, which it can only do by answering it ({@link SocketIoConnection#abandonAck}).
 */
public interface AbandonableAck {

    void abandon();
}
